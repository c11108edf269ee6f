import type { Command } from 'commander';
import { readAuditLog } from '../auth/index.js';
import { printTable, withStore } from './context.js';

/** `shirube audit`: the audit log on the configured database, newest first (as GET /api/audit). */
export function auditCommand(program: Command): void {
  program.command('audit')
    .description('read the audit log, newest first: who did what to what, and when (docs/security.md)')
    .option('--framework <id>', 'entries about this framework (CFDocument identifier): imports, status, rubrics, relation runs and decisions')
    .option('--actor <actor>', 'entries of this actor (user:<id>, client:<client_id>, cli:<user>)')
    .option('--action <action>', 'this action (relation.change-type), or a prefix ending in * (relation.*)')
    .option('--since <date>', 'from this date (2026-01-31, UTC) or date-time with offset, inclusive')
    .option('--until <date>', 'before this date or date-time, exclusive')
    .option('--limit <n>', 'at most this many', '100')
    .option('--offset <n>', 'skip this many (newest first)', '0')
    .option('--json', 'print JSON (details included)')
    .action(async (o: { framework?: string; actor?: string; action?: string; since?: string; until?: string; limit: string; offset: string; json?: boolean }) => {
      const r = await withStore(({ db }) => readAuditLog(db, { ...o, limit: Number(o.limit), offset: Number(o.offset) }));
      printTable(
        r.entries.map((e) => ({ at: e.at.toISOString(), actor: e.actor, action: e.action, target: `${e.targetType}${e.targetId ? ` ${e.targetId}` : ''}`, details: e.details ? JSON.stringify(e.details) : '' })),
        o.json === true,
        r,
      );
      if (!o.json) process.stdout.write(`${r.entries.length} of ${r.total} entries${r.total > r.offset + r.entries.length ? ` (more with --offset ${r.offset + r.entries.length})` : ''}.\n`);
    });
}
