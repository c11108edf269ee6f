import { writeFileSync, mkdirSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { migrateToLatest, openStore } from '../store/db.js';
import { lockDataDir } from '../store/lock.js';
import { indexUnindexedFrameworks } from '../store/search.js';
import { countAdmins } from '../store/auth.js';
import { createUser, randomToken } from '../auth/index.js';
import type { Store } from '../store/db.js';
import { ShirubeError } from '../errors.js';

/** Opens the configured database (locking an embedded data directory) and applies migrations (unless told not to); returns those applied. */
export async function openConfiguredStore(config: Config, opts: { migrate?: boolean } = {}): Promise<{ store: Store; release: () => void; applied: string[] }> {
  let release = () => {};
  if (!config.databaseUrl) {
    mkdirSync(config.dataDir, { recursive: true });
    release = lockDataDir(config.dataDir);
  }
  try {
    const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.databaseUrl ? undefined : config.dataDir, readUrl: config.databaseReadUrl, maxReadLagSeconds: config.databaseReadMaxLagSeconds });
    try {
      const applied = opts.migrate === false ? [] : await migrateToLatest(store.db);
      // Frameworks stored before the search index existed are indexed once, as the migration that made it lands.
      if (applied.includes('0019_search')) await indexUnindexedFrameworks(store.db);
      return { store, release, applied };
    } catch (e) {
      await store.close();
      throw e;
    }
  } catch (e) {
    release();
    throw e;
  }
}

/**
 * The first start creates the `admin` account. Its password comes from SHIRUBE_ADMIN_PASSWORD, or is generated
 * and written to <data dir>/admin-password.txt (mode 600), never logged.
 */
async function bootstrapAdmin(config: Config, store: Store): Promise<string | undefined> {
  if ((await countAdmins(store.db)) > 0) return undefined;
  const file = join(config.dataDir, 'admin-password.txt');
  const password = config.adminPassword ?? (existsSync(file) ? readFileSync(file, 'utf8').trim() : randomToken(12));
  await createUser(store.db, { username: 'admin', displayName: '管理者', password, roles: [{ role: 'admin', scopeType: 'global', scopeId: '' }] });
  if (!config.adminPassword) {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(file, `${password}\n`, { mode: 0o600 });
    return `user "admin", password in ${file}`;
  }
  return 'user "admin", password from SHIRUBE_ADMIN_PASSWORD';
}

export async function serve(config: Config): Promise<void> {
  const { store, release } = await openConfiguredStore(config);
  // Loaded here, not on top: every other command starts without the whole server (a second less per command).
  const { buildApp } = await import('../app.js');
  const app = await buildApp({ config, store });
  const admin = await bootstrapAdmin(config, store);
  let loaded: string | undefined;
  if (config.loadDemo) {
    const { ensureShippedFrameworks } = await import('../case/demo.js');
    const ids = await ensureShippedFrameworks(store.db, (msg) => app.log.info(msg));
    loaded = ids[0];
    if (ids.length) app.log.info({ identifiers: ids }, 'Loaded the demo frameworks');
  }
  const { hasDemoClass } = await import('../progress/index.js');
  const seedDemo = (config.seedDemo === 'yes' || (config.seedDemo === 'first-start' && loaded !== undefined)) && !(await hasDemoClass(store.db));
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'Shutting down');
    await app.close();
    await store.close();
    release();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' && code !== 'EACCES' && code !== 'EADDRNOTAVAIL') throw e;
    await app.close();
    await store.close();
    release();
    const why = code === 'EADDRINUSE' ? 'is in use by another program' : code === 'EACCES' ? 'needs privileges' : 'is not an address of this machine';
    throw new ShirubeError('invalid_request', `PORT/HOST: ${config.host}:${config.port} ${why}; choose another PORT or HOST (docs/config.md)`, 'PORT');
  }
  const db = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${join(config.dataDir, 'pgdata')}`;
  process.stdout.write(
    `\nShirube is running at ${config.publicUrl}/  (database: ${db})\n` +
      `  CASE API: ${config.publicUrl}/ims/case/v1p1/CFDocuments   API docs: ${config.publicUrl}/api/docs\n` +
      (admin ? `  First start: administrator account created — ${admin}\n` : '') +
      (seedDemo ? '  Seeding the demo class (4年1組, 35 learners, a school year of drill statements) in the background…\n' : '') +
      '\n',
  );
  if (seedDemo) void seedDemoInBackground(app, config, store);
}

/** The demo class and its statements, POSTed through this server's /xapi after it listens; progress in the log. */
async function seedDemoInBackground(app: FastifyInstance, config: Config, store: Store): Promise<void> {
  const { runDemo, demoSignInText, demoBadgeText, subjectCountText } = await import('./demo.js');
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  let reported = -1;
  try {
    const started = Date.now();
    const r = await runDemo(store.db, config, `http://${host.includes(':') ? `[${host}]` : host}:${port}`, {
      onProgress: (done, total) => {
        const tenth = Math.floor((done / total) * 10);
        if (tenth !== reported) app.log.info({ done, total }, `Demo statements: ${tenth * 10}%`);
        reported = tenth;
      },
    });
    app.log.info({ statements: r.statements, ms: Date.now() - started }, 'Demo class seeded');
    process.stdout.write(`\nThe demo class is ready: ${config.publicUrl}/ (4年1組, 35 learners, ${r.statements} statements: ${subjectCountText(r.bySubject)})\n${demoBadgeText(config, r.badges)}${demoSignInText(config, r.signIns)}\n`);
  } catch (e) {
    app.log.error({ err: e }, 'Seeding the demo class failed');
  }
}
