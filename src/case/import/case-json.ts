import type { Db } from '../../store/db.js';
import { ShirubeError } from '../../errors.js';
import { checkInput } from '../../input.js';
import type { CFPackage } from '../model.js';
import { packageToRows } from '../package.js';
import { saveImported, saveOptions, type ImportResult, type OnProgress, type SaveOptions } from './save.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const invalid = (field: string, message: string) => new ShirubeError('invalid_request', `${field}: ${message}`, field);

/** JSON text (a Buffer, a string) to a value; a UTF-8 byte order mark is skipped. */
export function parseJsonText(input: string | Uint8Array, field = '(body)'): unknown {
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw invalid(field, `not valid JSON (${(e as Error).message})`);
  }
  // No NUL or unpaired surrogate (PostgreSQL cannot store them) and at most 100 levels deep: src/input.ts.
  checkInput(value, field === '(body)' ? '' : field);
  return value;
}

/**
 * A CFPackage (CASE 1.0 or 1.1) from JSON text or an already parsed value, leniently: a package wrapped as
 * `{"CFPackage": {...}}` is unwrapped; everything else is kept as given (legacy shapes are read by packageToRows,
 * see docs/import-export.md). Only what CASE requires of every package and the store cannot do without is checked.
 */
export function parseCasePackage(input: unknown): CFPackage {
  let pkg = typeof input === 'string' || input instanceof Uint8Array ? parseJsonText(input) : input;
  if (!isObj(pkg)) throw invalid('(body)', 'a CFPackage must be a JSON object');
  if (!('CFDocument' in pkg) && isObj(pkg['CFPackage'])) pkg = pkg['CFPackage'];
  const p = pkg as Obj;
  if (!isObj(p['CFDocument'])) throw invalid('CFDocument', 'is required and must be an object (is this a CFPackage?)');
  const doc = p['CFDocument'];
  for (const f of ['identifier', 'title', 'creator'] as const) {
    if (typeof doc[f] !== 'string' || (f === 'identifier' && !doc[f])) throw invalid(`CFDocument.${f}`, 'is required and must be a string');
  }
  const items = p['CFItems'];
  if (Array.isArray(items)) {
    items.forEach((x: unknown, i) => {
      if (isObj(x) && typeof x['fullStatement'] !== 'string') throw invalid(`CFItems[${i}].fullStatement`, 'is required and must be a string');
    });
  }
  return p as CFPackage;
}

export interface CaseJsonImportOptions extends Omit<SaveOptions, 'onProgress'> {
  /** Where the package came from (a remote CASE server), kept with the document. */
  sourceUrl?: string | null | undefined;
  organizationId?: string | null | undefined;
  isCourseOfStudy?: boolean | undefined;
  /** Used for entities without lastChangeDateTime. */
  now?: Date | undefined;
}

/**
 * Imports a CASE JSON package (text, bytes or a parsed object) in one transaction. Entities are stored verbatim,
 * `uri`s untouched (`authored: false`); importing a package again replaces it.
 */
export async function importCaseJson(db: Db, input: unknown, opts: CaseJsonImportOptions = {}, onProgress?: OnProgress): Promise<ImportResult> {
  const pkg = parseCasePackage(input);
  const rows = packageToRows(pkg, {
    authored: false,
    isCourseOfStudy: opts.isCourseOfStudy ?? false,
    organizationId: opts.organizationId ?? null,
    sourceUrl: opts.sourceUrl ?? null,
    ...(opts.now ? { now: opts.now } : {}),
  });
  const [result] = await saveImported(db, rows, { ...saveOptions(opts), onProgress });
  return result!;
}
