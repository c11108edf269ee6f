import type { Db } from '../store/db.js';
import { listAudit, type AuditEntry, type AuditFilter } from '../store/auth.js';
import { ShirubeError } from '../errors.js';

export type { AuditEntry };

/** What a reader of the audit log asks for, as the API's query and the CLI's flags give it (dates as ISO 8601). */
export interface AuditQuery {
  framework?: string | undefined;
  actor?: string | undefined;
  action?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

function date(v: string | undefined, field: string): Date | undefined {
  if (v === undefined) return undefined;
  // A day alone is that day's start in UTC; otherwise a full date-time with its offset.
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/.test(v) || Number.isNaN(d.getTime())) {
    throw new ShirubeError('invalid_request', `${field}: a date (2026-01-31) or a date-time with its offset (2026-01-31T09:00:00+09:00)`, field);
  }
  return d;
}

/**
 * Reads the audit log (who did what, when, to what), newest first: filtered by framework, actor, action (or an
 * action prefix such as `relation.*`) and time (`since` inclusive, `until` exclusive), paginated.
 */
export async function readAuditLog(db: Db, q: AuditQuery): Promise<{ total: number; limit: number; offset: number; entries: AuditEntry[] }> {
  const since = date(q.since, 'since');
  const until = date(q.until, 'until');
  if (since && until && since >= until) throw new ShirubeError('invalid_request', 'until: must be after since', 'until');
  const limit = q.limit ?? 100;
  const offset = q.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new ShirubeError('invalid_request', 'limit: an integer from 1 to 1000', 'limit');
  if (!Number.isInteger(offset) || offset < 0) throw new ShirubeError('invalid_request', 'offset: an integer from 0', 'offset');
  const f: AuditFilter = { framework: q.framework, actor: q.actor, action: q.action, since, until, limit, offset };
  return { ...(await listAudit(db, f)), limit, offset };
}
