import type { Db } from './db.js';

/** A remote CASE server Shirube imports from, with its OAuth 2.0 client credentials (if it needs any). */
export interface CaseSourceRow {
  id: string;
  baseUrl: string;
  tokenUrl: string | null;
  clientId: string | null;
  /** Kept as given: it must be sent to the remote token endpoint again. Readable by database administrators. */
  clientSecret: string | null;
  scope: string | null;
}

const toSource = (r: any): CaseSourceRow => ({
  id: r.id,
  baseUrl: r.base_url,
  tokenUrl: r.token_url,
  clientId: r.client_id,
  clientSecret: r.client_secret,
  scope: r.scope,
});

export async function getCaseSource(db: Db, baseUrl: string): Promise<CaseSourceRow | undefined> {
  const r = await db.selectFrom('case_source').selectAll().where('base_url', '=', baseUrl).executeTakeFirst();
  return r && toSource(r);
}

export async function listCaseSources(db: Db): Promise<CaseSourceRow[]> {
  return (await db.selectFrom('case_source').selectAll().orderBy('base_url').execute()).map(toSource);
}

/** Inserts or replaces the credentials of a source (keyed by base URL). */
export async function saveCaseSource(db: Db, s: CaseSourceRow): Promise<void> {
  await db
    .insertInto('case_source')
    .values({ id: s.id, base_url: s.baseUrl, token_url: s.tokenUrl, client_id: s.clientId, client_secret: s.clientSecret, scope: s.scope })
    .onConflict((oc) => oc.column('base_url').doUpdateSet((eb) => ({
      token_url: eb.ref('excluded.token_url'),
      client_id: eb.ref('excluded.client_id'),
      client_secret: eb.ref('excluded.client_secret'),
      scope: eb.ref('excluded.scope'),
    })))
    .execute();
}

export async function deleteCaseSource(db: Db, baseUrl: string): Promise<boolean> {
  const r = await db.deleteFrom('case_source').where('base_url', '=', baseUrl).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
