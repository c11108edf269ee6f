import { parse } from 'csv-parse/sync';
import type { Db } from '../store/db.js';
import * as store from '../store/resources.js';
import { audit } from '../store/auth.js';
import { findItemsByReferences, uuidv5 } from '../case/index.js';
import { actorOf, canAdminister, canAuthorFramework, type Principal } from '../auth/index.js';
import { ShirubeError } from '../errors.js';

/**
 * Learning resources (drills, videos, worksheets…) aligned to CFItems (docs/resources.md): what the item panel of
 * the map and the next steps link to. A resource's id is derived from who registered it and its URL, so a vendor
 * registering the same drill again replaces it instead of adding a copy.
 */
export const RESOURCE_TYPES = ['drill', 'video', 'worksheet', 'other'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];
/** LRMI learningResourceType (the DCMI/LRMI vocabulary's terms) of each type, for the export's JSON-LD. */
const LRMI_TYPE: Record<ResourceType, string> = { drill: 'practice', video: 'video', worksheet: 'worksheet', other: 'other' };

const NAMESPACE = 'b6f1f0a4-1f55-4f47-9a3e-6f0a2c9d7e15';
const MAX_ITEMS = 50;
const MAX_CSV_ROWS = 5000;

export interface ResourceBody {
  title?: unknown;
  url?: unknown;
  type?: unknown;
  language?: unknown;
  provider?: unknown;
  /** CFItems: UUIDs, CASE URIs or /uri/ URLs, or Course of Study Codes. */
  items?: unknown;
}

interface CheckedResource {
  title: string;
  url: string;
  type: ResourceType;
  language: string;
  provider: string | null;
  references: string[];
}

const bad = (field: string, message: string) => new ShirubeError('invalid_request', `${field}: ${message}`, field);
const text = (v: unknown, field: string, max: number): string => {
  if (typeof v !== 'string' || !v.trim()) throw bad(field, 'is required');
  if (v.trim().length > max) throw bad(field, `at most ${max} characters`);
  return v.trim();
};

/** An http or https URL without credentials: anything else (javascript:, data:, file:) is refused. */
export function checkResourceUrl(v: unknown, field = 'url'): string {
  const s = text(v, field, 2000);
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw bad(field, 'must be an absolute http or https URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw bad(field, 'must be an http or https URL');
  if (u.username || u.password) throw bad(field, 'must not carry a user name or password');
  return u.href;
}

/** Checks a resource as the API and the CSV give it (`prefix` names the place in errors: `line 3.`). */
export function checkResource(b: ResourceBody, prefix = ''): CheckedResource {
  const type = b.type ?? 'other';
  if (!RESOURCE_TYPES.includes(type as ResourceType)) throw bad(`${prefix}type`, `must be one of ${RESOURCE_TYPES.join(', ')}`);
  const language = b.language ?? 'ja';
  if (typeof language !== 'string' || !/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(language)) throw bad(`${prefix}language`, 'must be a language tag such as ja or en');
  const provider = b.provider === undefined || b.provider === null || b.provider === '' ? null : text(b.provider, `${prefix}provider`, 200);
  const items = b.items;
  if (!Array.isArray(items) || !items.length) throw bad(`${prefix}items`, 'must list at least one CFItem (UUID, URI or Course of Study Code)');
  if (items.length > MAX_ITEMS) throw bad(`${prefix}items`, `at most ${MAX_ITEMS} CFItems`);
  items.forEach((r, i) => {
    if (typeof r !== 'string' || !r.trim() || r.length > 1000) throw bad(`${prefix}items.${i}`, 'must be a CFItem UUID, URI or Course of Study Code');
  });
  return { title: text(b.title, `${prefix}title`, 300), url: checkResourceUrl(b.url, `${prefix}url`), type: type as ResourceType, language, provider, references: (items as string[]).map((r) => r.trim()) };
}

/** The CFItems the references name (a Course of Study Code may name an item of each subject's framework). */
async function resolve(db: Db, references: string[], publicUrl: string, field: (i: number) => string): Promise<string[]> {
  const found = await findItemsByReferences(db, references, publicUrl);
  const out = new Set<string>();
  for (const [i, r] of references.entries()) {
    const items = found.get(r)!;
    if (!items.length) throw bad(field(i), `${r} names no CFItem here (give its UUID, URI or Course of Study Code)`);
    for (const x of items) out.add(x.identifier);
  }
  return [...out];
}

/**
 * Who may register a resource aligned to items of these frameworks: administrators, teachers, the frameworks'
 * authors, and API clients with `resources:write` (vendors) or `case:write`.
 */
function mayRegister(p: Principal, frameworks: store.AlignedItemRow['framework'][]): boolean {
  if (canAdminister(p)) return true;
  if (p.kind === 'client') return p.scopes.includes('resources:write') || p.scopes.includes('case:write');
  if (p.kind !== 'user') return false;
  if (p.roles.some((r) => r.role === 'teacher')) return true;
  return frameworks.every((f) => f && canAuthorFramework(p, { identifier: f.identifier, organizationId: f.organizationId }));
}

/** Who may change or remove a resource: whoever registered it, administrators, the aligned frameworks' authors. */
function mayChange(p: Principal, r: store.ResourceRow, frameworks: store.AlignedItemRow['framework'][]): boolean {
  if (canAdminister(p) || actorOf(p) === r.createdBy) return true;
  return p.kind === 'user' && frameworks.every((f) => f && canAuthorFramework(p, { identifier: f.identifier, organizationId: f.organizationId }));
}

export interface ResourceView {
  id: string;
  title: string;
  url: string;
  type: ResourceType;
  language: string;
  provider: string | null;
  createdAt: string;
  updatedAt: string;
  items: Array<{ id: string; code: string | null; fullStatement: string; uri: string; framework: { identifier: string; title: string } | null }>;
  /** LRMI / schema.org: the same alignments as AlignmentObjects, and the type in LRMI's vocabulary. */
  learningResourceType: string;
  educationalAlignment: Array<{ '@type': 'AlignmentObject'; alignmentType: 'teaches'; educationalFramework: string | null; targetName: string; targetUrl: string; targetDescription: string }>;
}

async function views(db: Db, rows: store.ResourceRow[], publicUrl: string): Promise<ResourceView[]> {
  const items = await store.alignedItems(db, rows.flatMap((r) => r.items));
  return rows.map((r) => {
    const aligned = r.items.map((id) => {
      const i = items.get(id);
      return { id, code: i?.code ?? null, fullStatement: i?.fullStatement ?? '', uri: `${publicUrl}/uri/${id}`, framework: i?.framework ? { identifier: i.framework.identifier, title: i.framework.title } : null };
    });
    return {
      id: r.id,
      title: r.title,
      url: r.url,
      type: r.type as ResourceType,
      language: r.language,
      provider: r.provider,
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
      items: aligned,
      learningResourceType: LRMI_TYPE[r.type as ResourceType] ?? 'other',
      educationalAlignment: aligned.map((a) => ({ '@type': 'AlignmentObject' as const, alignmentType: 'teaches' as const, educationalFramework: a.framework?.title ?? null, targetName: a.code ?? a.id, targetUrl: a.uri, targetDescription: a.fullStatement })),
    };
  });
}

const idOf = (actor: string, url: string) => uuidv5(`resource:${actor}:${url}`, NAMESPACE);

async function frameworksOf(db: Db, items: string[]) {
  return [...(await store.alignedItems(db, items)).values()].map((i) => i.framework);
}

/** Registers one resource (replacing the caller's own resource with the same URL): 201 new, 200 replaced. */
export async function registerResource(db: Db, p: Principal, body: ResourceBody, publicUrl: string): Promise<{ created: boolean; resource: ResourceView }> {
  const r = checkResource(body);
  const items = await resolve(db, r.references, publicUrl, (i) => `items.${i}`);
  if (!mayRegister(p, await frameworksOf(db, items))) throw new ShirubeError('forbidden', 'Teachers, the frameworks’ authors, administrators and API clients with resources:write register resources');
  const actor = actorOf(p);
  const id = idOf(actor, r.url);
  const created = await db.transaction().execute(async (trx) => {
    const before = await store.getResource(trx, id);
    await store.putResource(trx, id, { ...r, items }, actor);
    await audit(trx, { actor, action: before ? 'resource.update' : 'resource.create', targetType: 'resource', targetId: id, details: { url: r.url, items } });
    return !before;
  });
  return { created, resource: (await views(db, [(await store.getResource(db, id))!], publicUrl))[0]! };
}

async function existing(db: Db, id: string) {
  const r = await store.getResource(db, id);
  if (!r) throw new ShirubeError('not_found', `No resource ${id}`, 'id');
  return r;
}

export async function getResource(db: Db, id: string, publicUrl: string): Promise<ResourceView> {
  return (await views(db, [await existing(db, id)], publicUrl))[0]!;
}

/** Replaces a resource's fields and alignments (who registered it, administrators, the frameworks' authors). */
export async function updateResource(db: Db, p: Principal, id: string, body: ResourceBody, publicUrl: string): Promise<ResourceView> {
  const before = await existing(db, id);
  const r = checkResource(body);
  const items = await resolve(db, r.references, publicUrl, (i) => `items.${i}`);
  if (!mayChange(p, before, await frameworksOf(db, [...before.items, ...items]))) throw new ShirubeError('forbidden', 'Only whoever registered the resource, the frameworks’ authors and administrators change it');
  await db.transaction().execute(async (trx) => {
    await store.putResource(trx, id, { ...r, items }, before.createdBy);
    await audit(trx, { actor: actorOf(p), action: 'resource.update', targetType: 'resource', targetId: id, details: { url: r.url, items } });
  });
  return getResource(db, id, publicUrl);
}

export async function deleteResource(db: Db, p: Principal, id: string): Promise<void> {
  const before = await existing(db, id);
  if (!mayChange(p, before, await frameworksOf(db, before.items))) throw new ShirubeError('forbidden', 'Only whoever registered the resource, the frameworks’ authors and administrators remove it');
  await db.transaction().execute(async (trx) => {
    await store.deleteResource(trx, id);
    await audit(trx, { actor: actorOf(p), action: 'resource.delete', targetType: 'resource', targetId: id, details: { url: before.url, items: before.items } });
  });
}

/** Resources aligned to an item (UUID, URI or Course of Study Code), or all; by title. */
export async function listResources(db: Db, q: { item?: string | undefined; limit: number; offset: number }, publicUrl: string) {
  const items = q.item === undefined ? undefined : await resolve(db, [q.item], publicUrl, () => 'item');
  const { total, resources } = await store.listResources(db, { items, limit: q.limit, offset: q.offset });
  return { total, limit: q.limit, offset: q.offset, resources: await views(db, resources, publicUrl) };
}

/** A resource as the learner's views list it (next steps, the item panel). */
export type ResourceLink = Pick<store.ResourceRow, 'id' | 'title' | 'url' | 'type' | 'language' | 'provider'>;

/** Each item's resources (at most `per` each, by title), for the item panel and the next steps. */
export async function resourcesOfItems(db: Db, items: string[], per = 10): Promise<Map<string, ResourceLink[]>> {
  const { resources } = await store.listResources(db, { items, limit: 1000, offset: 0 });
  const out = new Map<string, ResourceLink[]>(items.map((i) => [i, []]));
  for (const r of resources) {
    for (const i of r.items) {
      const list = out.get(i);
      if (list && list.length < per) list.push({ id: r.id, title: r.title, url: r.url, type: r.type, language: r.language, provider: r.provider });
    }
  }
  return out;
}

/**
 * Registers the resources of a CSV (columns `title,url,type,codes[,language,provider]`, codes separated by spaces
 * or semicolons): all or nothing; a bad row is a 400 naming its line (`line 3.url`).
 */
export async function importResourcesCsv(db: Db, p: Principal, csv: string, publicUrl: string): Promise<{ created: number; updated: number; resources: ResourceView[] }> {
  let rows: Array<Record<string, string>>;
  try {
    rows = parse(csv, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Array<Record<string, string>>;
  } catch (e) {
    throw bad('(body)', `not valid CSV (${(e as Error).message})`);
  }
  if (!rows.length) throw bad('(body)', 'no resources (header title,url,type,codes[,language,provider], then a row per resource)');
  if (rows.length > MAX_CSV_ROWS) throw bad('(body)', `at most ${MAX_CSV_ROWS} rows`);
  for (const col of ['title', 'url', 'codes']) if (!(col in rows[0]!)) throw bad(col, 'column is missing (title,url,type,codes[,language,provider])');
  const checked: Array<CheckedResource & { items: string[] }> = [];
  for (const [n, row] of rows.entries()) {
    const prefix = `line ${n + 2}.`;
    const r = checkResource({ title: row['title'], url: row['url'], type: row['type'] || undefined, language: row['language'] || undefined, provider: row['provider'], items: (row['codes'] ?? '').split(/[\s;]+/).filter(Boolean) }, prefix);
    checked.push({ ...r, items: await resolve(db, r.references, publicUrl, () => `${prefix}codes`) });
  }
  if (!mayRegister(p, await frameworksOf(db, checked.flatMap((r) => r.items)))) throw new ShirubeError('forbidden', 'Teachers, the frameworks’ authors, administrators and API clients with resources:write register resources');
  const saved = await saveAll(db, actorOf(p), checked);
  const resources = (await Promise.all(saved.ids.map((id) => store.getResource(db, id)))).filter((r): r is store.ResourceRow => !!r);
  return { created: saved.created, updated: saved.updated, resources: await views(db, resources, publicUrl) };
}

/** Stores checked resources as `actor`'s in one transaction, audited as one import. */
async function saveAll(db: Db, actor: string, checked: Array<CheckedResource & { items: string[] }>): Promise<{ created: number; updated: number; ids: string[] }> {
  const ids = [...new Set(checked.map((r) => idOf(actor, r.url)))];
  return db.transaction().execute(async (trx) => {
    let created = 0;
    for (const r of checked) {
      const id = idOf(actor, r.url);
      if (!(await store.getResource(trx, id))) created++;
      await store.putResource(trx, id, r, actor);
    }
    await audit(trx, { actor, action: 'resource.import', targetType: 'resource', targetId: null, details: { rows: checked.length, created, resources: ids } });
    return { created, updated: ids.length - created, ids };
  });
}

/**
 * The demo's example resources (docs/demo.md): one drill for each of the first grade-4 items of 算数 given, at
 * example.org (a domain reserved for examples: no real site is implied), registered by the system.
 */
export async function ensureDemoResources(db: Db, items: Array<{ id: string; code: string; category: string | null }>): Promise<number> {
  const checked = items.map((i) => ({
    ...checkResource({ title: `「${i.category ?? i.code}」練習ドリル（例）`, url: `https://example.org/shirube-demo/drills/${i.code}`, type: 'drill', language: 'ja', provider: 'Shirube デモ（例）', items: [i.id] }),
    items: [i.id],
  }));
  return checked.length ? (await saveAll(db, 'system', checked)).created : 0;
}
