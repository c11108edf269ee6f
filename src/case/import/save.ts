import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { assertStorableJson } from '../../store/json.js';
import type { Db } from '../../store/db.js';
import { savePackage, type PackageRows } from '../../store/case.js';
import { audit } from '../../store/auth.js';
import { addChanges } from '../../store/authoring.js';
import { ShirubeError } from '../../errors.js';

/** Called as rows are written: `done` of `total` database rows. A callback that throws aborts the import. */
export type OnProgress = (done: number, total: number) => void;

export interface SaveOptions {
  onProgress?: OnProgress | undefined;
  /** Written to the audit log inside the import's transaction. */
  audit?: { actor: string; action: string; details?: Record<string, unknown> } | undefined;
  /** Called for each package before anything is written: may refuse (throw) or set the document's organizationId. */
  beforeSave?: ((rows: PackageRows) => Promise<void>) | undefined;
  /** More writes that belong to the import (e.g. a remote source's credentials), in its transaction. */
  alsoWrite?: ((trx: Db) => Promise<void>) | undefined;
}

export interface ImportResult {
  identifier: string;
  title: string;
  counts: { CFItems: number; CFAssociations: number; CFDefinitions: number; CFRubrics: number };
}

/** The save options among an importer's options. */
export const saveOptions = (o: Omit<SaveOptions, 'onProgress'>): Omit<SaveOptions, 'onProgress'> => ({ audit: o.audit, beforeSave: o.beforeSave, alsoWrite: o.alsoWrite });

/** Counts inserted rows as the store writes them, to report progress without the store knowing. */
class ProgressPlugin implements KyselyPlugin {
  #inserts = new Set<unknown>();
  #done = 0;
  constructor(private readonly total: number, private readonly report: OnProgress) {}
  transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
    if (node.kind === 'InsertQueryNode') this.#inserts.add(queryId);
    return node;
  }
  async transformResult({ result, queryId }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    if (this.#inserts.delete(queryId)) {
      this.#done = Math.min(this.total, this.#done + Number(result.numAffectedRows ?? 0));
      this.report(this.#done, this.total);
    }
    return result;
  }
}

const countRows = (p: PackageRows) => 1 + 2 * p.items.length + p.associations.length + 2 * (p.definitions.length + p.rubrics.length);

export function importResult(p: PackageRows): ImportResult {
  return {
    identifier: p.document.identifier,
    title: p.document.title,
    counts: { CFItems: p.items.length, CFAssociations: p.associations.length, CFDefinitions: p.definitions.length, CFRubrics: p.rubrics.length },
  };
}

/**
 * An entity listed twice with identical content is kept once (real packages do this: Smarter Balanced lists one
 * association twice); two different entities with one identifier cannot both be stored, so the second is named.
 */
function withoutDuplicates<T extends { identifier: string; payload: Record<string, unknown> }>(list: T[], field: (i: number) => string): T[] {
  const seen = new Map<string, { index: number; json: string }>();
  return list.filter((x, i) => {
    const json = JSON.stringify(x.payload);
    const first = seen.get(x.identifier);
    if (!first) {
      seen.set(x.identifier, { index: i, json });
      return true;
    }
    if (first.json === json) return false;
    throw new ShirubeError('invalid_request', `${field(i)}.identifier: ${x.identifier} is already used by a different entity, ${field(first.index)}`, `${field(i)}.identifier`);
  });
}

/** Where each definition row sits in the package: CFDefinitions.CFItemTypes[2]... */
function definitionPaths(defs: PackageRows['definitions']): string[] {
  const n = new Map<string, number>();
  return defs.map((d) => {
    const k = n.get(d.kind) ?? 0;
    n.set(d.kind, k + 1);
    return `CFDefinitions.${d.kind}s[${k}]`;
  });
}

/** The rows without identical repeats; what the importers store and count. */
export function dedupeRows(p: PackageRows): PackageRows {
  const defPaths = definitionPaths(p.definitions);
  return {
    document: p.document,
    items: withoutDuplicates(p.items, (i) => `CFItems[${i}]`),
    associations: withoutDuplicates(p.associations, (i) => `CFAssociations[${i}]`),
    definitions: withoutDuplicates(p.definitions, (i) => defPaths[i]!),
    rubrics: withoutDuplicates(p.rubrics, (i) => `CFRubrics[${i}]`),
  };
}

/**
 * Checks the rows once more, then writes them (one package, or several that belong together) in ONE transaction:
 * a failure anywhere leaves the database as it was.
 */
export async function saveImported(db: Db, given: PackageRows | PackageRows[], opts: SaveOptions = {}): Promise<ImportResult[]> {
  const packages = (Array.isArray(given) ? given : [given]).map((p) => {
    assertStorableJson(p.document.payload, 'CFDocument');
    p.items.forEach((x, i) => assertStorableJson(x.payload, `CFItems[${i}]`));
    p.associations.forEach((x, i) => assertStorableJson(x.payload, `CFAssociations[${i}]`));
    p.rubrics.forEach((x, i) => assertStorableJson(x.payload, `CFRubrics[${i}]`));
    const defPaths = definitionPaths(p.definitions);
    p.definitions.forEach((x, i) => assertStorableJson(x.payload, defPaths[i]!));
    return dedupeRows(p);
  });
  for (const p of packages) await opts.beforeSave?.(p);
  const total = packages.reduce((n, p) => n + countRows(p), 0);
  opts.onProgress?.(0, total);
  await db.transaction().execute(async (trx) => {
    const writer = opts.onProgress ? trx.withPlugin(new ProgressPlugin(total, opts.onProgress)) : trx;
    for (const rows of packages) {
      await savePackage(writer, rows);
      if (opts.audit) {
        await audit(trx, {
          actor: opts.audit.actor,
          action: opts.audit.action,
          targetType: 'CFDocument',
          targetId: rows.document.identifier,
          details: { ...importResult(rows).counts, ...opts.audit.details },
        });
        // The framework's history notes the import (a whole package: counts, not payloads; docs/authoring.md).
        await addChanges(trx, [{
          documentIdentifier: rows.document.identifier, at: new Date(), actor: opts.audit.actor, action: 'import', entityType: 'CFPackage',
          entityIdentifier: rows.document.identifier, before: null, after: { ...importResult(rows).counts, ...opts.audit.details },
        }]);
      }
    }
    await opts.alsoWrite?.(trx);
  });
  opts.onProgress?.(total, total);
  return packages.map(importResult);
}
