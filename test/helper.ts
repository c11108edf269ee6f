import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { inject } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import { migrateToLatest, openStore, type Store } from '../src/store/db.js';
import { createApiClient, createUser, issueAccessToken, createSession, type RoleGrant } from '../src/auth/index.js';
import { findApiClient } from '../src/store/auth.js';
import { createScratchDatabase } from './pg-database.js';
import { testDatabaseUrl } from './database-url.js';
import { freePort } from './cli-process.js';

export const SHARED = new URL('../../shared/', import.meta.url).pathname;

/**
 * A fresh, migrated database: in-memory PGlite, or a new database on the PostgreSQL server named by
 * SHIRUBE_TEST_DATABASE_URL (CI runs the whole suite both ways). `close()` drops it.
 */
export async function freshStore(): Promise<Store> {
  const adminUrl = testDatabaseUrl();
  if (!adminUrl) {
    // From the run's migrated template (test/setup/pglite-template.ts); migrating again is a no-op that checks it.
    const store = await openStore({ loadDataDir: new Blob([readFileSync(inject('pgliteTemplate'))]) });
    await migrateToLatest(store.db);
    return store;
  }
  const database = await createScratchDatabase(adminUrl, 'shirube_test');
  const store = await openStore({ databaseUrl: database.url });
  await migrateToLatest(store.db);
  return {
    ...store,
    async close() {
      await store.close();
      await database.drop();
    },
  };
}

export interface TestApp {
  app: FastifyInstance;
  store: Store;
  config: Config;
  close(): Promise<void>;
}

/**
 * The whole server on a fresh database (or on the store `on`, which close() then closes), for app.inject() (or
 * app.listen({ port: 0 }) for socket tests).
 */
export async function build(env: Record<string, string> = {}, on?: Store): Promise<TestApp> {
  const config = loadConfig({ SHIRUBE_PUBLIC_URL: 'http://shirube.test', SHIRUBE_LOG_LEVEL: 'silent', SHIRUBE_DEMO: '0', ...env });
  const store = on ?? (await freshStore());
  const app = await buildApp({ config, store });
  await app.ready();
  return {
    app,
    store,
    config,
    async close() {
      await app.close();
      await store.close();
    },
  };
}

/**
 * Another instance of the app on `t`'s database, as a second server behind a load balancer: on PostgreSQL with its own
 * connection pool; on PGlite sharing `t.store` (one process per data directory). Closing it leaves the database.
 */
export async function anotherInstance(t: TestApp): Promise<{ app: FastifyInstance; close(): Promise<void> }> {
  const adminUrl = testDatabaseUrl();
  let store: Store = { ...t.store, close: async () => {} };
  if (t.store.kind === 'postgres' && adminUrl) {
    const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(t.store.db);
    const url = new URL(adminUrl);
    url.pathname = `/${rows[0]!.name}`;
    store = await openStore({ databaseUrl: url.toString() });
  }
  const app = await buildApp({ config: t.config, store });
  await app.ready();
  return {
    app,
    async close() {
      await app.close();
      await store.close();
    },
  };
}

/** build() listening on a free port of 127.0.0.1 that is also its SHIRUBE_PUBLIC_URL (`base`): for tests over a real socket. */
export async function buildListening(env: Record<string, string> = {}): Promise<TestApp & { base: string }> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const t = await build({ SHIRUBE_PUBLIC_URL: base, ...env });
  await t.app.listen({ port, host: '127.0.0.1' });
  return { ...t, base };
}

/** An API client with these scopes and a bearer token for it, made through the real OAuth flow's functions. */
export async function bearer(t: TestApp, scopes: string[]): Promise<{ authorization: string }> {
  const { clientId } = await createApiClient(t.store.db, { name: `test ${scopes.join(' ')}`, scopes });
  const client = (await findApiClient(t.store.db, clientId))!;
  const { accessToken } = await issueAccessToken(t.store.db, client, undefined);
  return { authorization: `Bearer ${accessToken}` };
}

/** A signed-in person with these roles: the session cookie and CSRF header to send with writes. */
export async function session(t: TestApp, roles: RoleGrant[], username = `u${randomBytes(4).toString('hex')}`): Promise<{ cookie: string; 'x-csrf-token': string; userId: string }> {
  // No password: hashing one costs ~0.4 s (scrypt), and the test signs in by cookie anyway.
  const { id } = await createUser(t.store.db, { username, roles });
  return sessionOf(t, id);
}

/** A session of an existing user (e.g. the demo class's teacher or a learner). */
export async function sessionOf(t: TestApp, userId: string): Promise<{ cookie: string; 'x-csrf-token': string; userId: string }> {
  const s = await createSession(t.store.db, userId);
  return { cookie: `shirube_session=${s.token}`, 'x-csrf-token': s.csrfToken, userId };
}
