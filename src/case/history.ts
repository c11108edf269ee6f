import type { Db } from '../store/db.js';
import { loadPackage, type PackageRows } from '../store/case.js';
import { getVersion, listChanges, listVersions, type ChangeRow, type VersionRow } from '../store/authoring.js';
import { ShirubeError } from '../errors.js';
import { exportPackage, type ExportedFile, type ExportFormat, type ExportOptions } from './export/index.js';
import { getFramework } from './frameworks.js';

/**
 * A framework's change history (every authored change: who, when, before / after), its published versions (frozen
 * when it became Adopted / Implemented) and the differences between any two of them or the current state.
 */
type Obj = Record<string, unknown>;

export interface HistoryQuery {
  entity?: string | undefined;
  since?: string | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

export async function frameworkHistory(db: Db, documentIdentifier: string, q: HistoryQuery): Promise<{ total: number; limit: number; offset: number; changes: ChangeRow[] }> {
  const limit = q.limit ?? 100;
  const offset = q.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new ShirubeError('invalid_request', 'limit: an integer from 1 to 1000', 'limit');
  if (!Number.isInteger(offset) || offset < 0) throw new ShirubeError('invalid_request', 'offset: an integer from 0', 'offset');
  const since = q.since === undefined ? undefined : new Date(q.since);
  if (since && Number.isNaN(since.getTime())) throw new ShirubeError('invalid_request', 'since: a date-time (2026-01-31T09:00:00+09:00)', 'since');
  return { ...(await listChanges(db, documentIdentifier, { entity: q.entity, since, limit, offset })), limit, offset };
}

export const frameworkVersions = (db: Db, documentIdentifier: string): Promise<VersionRow[]> => listVersions(db, documentIdentifier);

/** `current` or a published version number, as a query parameter gives it. */
export type VersionRef = number | 'current';

export function parseVersionRef(v: string | undefined, field: string): VersionRef {
  if (v === undefined || v === 'current') return 'current';
  if (!/^[1-9]\d{0,8}$/.test(v)) throw new ShirubeError('invalid_request', `${field}: a version number (1, 2, …) or "current"`, field);
  return Number(v);
}

/** The package of a version, or of the framework as it is now. */
export async function versionRows(db: Db, documentIdentifier: string, ref: VersionRef, field = 'version'): Promise<PackageRows> {
  if (ref === 'current') {
    const rows = await loadPackage(db, documentIdentifier);
    if (!rows) throw new ShirubeError('not_found', `No framework (CFDocument) ${documentIdentifier}`, 'id');
    return rows;
  }
  const v = await getVersion(db, documentIdentifier, ref);
  if (!v) throw new ShirubeError('not_found', `${field}: framework ${documentIdentifier} has no published version ${ref}`, field);
  return v.rows;
}

/** A published version as a file (CASE JSON 1.0 / 1.1, XLSX, CSV): the same bytes whenever it is downloaded. */
export async function exportVersion(db: Db, documentIdentifier: string, version: number, format: ExportFormat, opts: ExportOptions): Promise<ExportedFile> {
  await getFramework(db, documentIdentifier);
  return exportPackage(await versionRows(db, documentIdentifier, version), format, { ...opts, suffix: `-v${version}` });
}

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}
export interface EntityDiff {
  added: Obj[];
  removed: Obj[];
  changed: Array<{ identifier: string; fields: FieldChange[] }>;
}
export interface PackageDiff {
  from: VersionRef;
  to: VersionRef;
  CFDocument: FieldChange[];
  CFItems: EntityDiff;
  CFAssociations: EntityDiff;
  CFDefinitions: EntityDiff;
  CFRubrics: EntityDiff;
}

/** Field by field; lastChangeDateTime, which every change moves, is left out. */
function fieldChanges(a: Obj, b: Obj): FieldChange[] {
  const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((f) => f !== 'lastChangeDateTime');
  return fields.filter((f) => JSON.stringify(a[f]) !== JSON.stringify(b[f])).map((f) => ({ field: f, before: a[f] ?? null, after: b[f] ?? null }));
}

function entityDiff(a: Array<{ identifier: string; payload: Obj }>, b: Array<{ identifier: string; payload: Obj }>): EntityDiff {
  const before = new Map(a.map((x) => [x.identifier, x.payload]));
  const after = new Map(b.map((x) => [x.identifier, x.payload]));
  return {
    added: b.filter((x) => !before.has(x.identifier)).map((x) => x.payload),
    removed: a.filter((x) => !after.has(x.identifier)).map((x) => x.payload),
    changed: b.filter((x) => before.has(x.identifier))
      .map((x) => ({ identifier: x.identifier, fields: fieldChanges(before.get(x.identifier)!, x.payload) }))
      .filter((x) => x.fields.length),
  };
}

/** What changed from one version (or the current state) to another: entities added, removed, and changed field by field. */
export async function diffVersions(db: Db, documentIdentifier: string, from: VersionRef, to: VersionRef): Promise<PackageDiff> {
  const [a, b] = [await versionRows(db, documentIdentifier, from, 'from'), await versionRows(db, documentIdentifier, to, 'to')];
  return {
    from, to,
    CFDocument: fieldChanges(a.document.payload, b.document.payload),
    CFItems: entityDiff(a.items, b.items),
    CFAssociations: entityDiff(a.associations, b.associations),
    CFDefinitions: entityDiff(a.definitions, b.definitions),
    CFRubrics: entityDiff(a.rubrics, b.rubrics),
  };
}
