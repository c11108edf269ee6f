import { parse } from 'csv-parse/sync';
import type { Db } from '../store/db.js';
import { getDocument, loadPackage, listDocuments } from '../store/case.js';
import { importCaseJson, uuidv5 } from '../case/index.js';
import { ShirubeError } from '../errors.js';
import { frameworkStructure, type MapGroup } from './framework.js';

/** Our namespace for unit schemes (generated once; never change it). */
const UNITS_NAMESPACE = '0d5e6c1a-8f0b-4d8e-b2c7-35a9e4f17b62';
const EXT = 'shirubeUnits';

/**
 * A publisher's units (textbook 単元) for a framework, kept as a CASE document of its own: one CFItem per unit
 * (CFItemType "unit"), `isPartOf` from each content item to its unit, `precedes` between units the CSV orders.
 * The unit view of the map can show them instead of the Course of Study categories.
 */
export interface UnitScheme {
  identifier: string;
  title: string;
  framework: string;
  units: number;
}

const bad = (field: string, message: string) => new ShirubeError('invalid_request', `${field}: ${message}`, field);

/**
 * Imports units from CSV: columns `unit` (code), `title`, `grade`, `items` (Course of Study codes of the framework's
 * content items, separated by spaces or semicolons), optional `order` and `after` (unit codes learned before).
 * Several rows for one unit add items. Every bad row is a 400 naming its line; nothing is written then.
 */
export async function importUnits(db: Db, framework: string, title: string, csv: string | Uint8Array, publicUrl: string, actor: string): Promise<UnitScheme> {
  const s = await frameworkStructure(db, framework);
  let rows: Array<Record<string, string>>;
  try {
    rows = parse(typeof csv === 'string' ? csv : Buffer.from(csv), { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Array<Record<string, string>>;
  } catch (e) {
    throw bad('(body)', `not valid CSV (${(e as Error).message})`);
  }
  if (!rows.length) throw bad('(body)', 'no units');
  for (const col of ['unit', 'title', 'items']) if (!(col in rows[0]!)) throw bad(col, 'column is missing (unit, title, grade, items[, order, after])');
  const byCode = new Map(s.items.map((i) => [i.code, i.id]));
  const units = new Map<string, { title: string; grade: string | null; order: number; items: string[]; after: string[] }>();
  rows.forEach((r, i) => {
    const line = i + 2;
    const code = r['unit']!;
    if (!code) throw bad(`line ${line}.unit`, 'is required');
    const u = units.get(code) ?? { title: r['title'] || code, grade: r['grade'] || null, order: Number(r['order']) || units.size + 1, items: [], after: [] };
    for (const c of (r['items'] ?? '').split(/[\s;]+/).filter(Boolean)) {
      const id = byCode.get(c);
      if (!id) throw bad(`line ${line}.items`, `${c} is not a content item of this framework`);
      u.items.push(id);
    }
    u.after.push(...(r['after'] ?? '').split(/[\s;]+/).filter(Boolean));
    units.set(code, u);
  });
  for (const [code, u] of units) for (const a of u.after) if (!units.has(a)) throw bad('after', `unit ${code}: no unit ${a} in the file`);
  const docId = uuidv5(`units:${framework}:${title}`, UNITS_NAMESPACE);
  const uri = (id: string) => `${publicUrl}/uri/${id}`;
  const unitId = (code: string) => uuidv5(`unit:${docId}:${code}`, UNITS_NAMESPACE);
  const node = (id: string, t: string) => ({ identifier: id, uri: uri(id), title: t });
  const now = new Date().toISOString();
  const associations = [...units].flatMap(([code, u]) => [
    ...u.items.map((item) => ({ identifier: uuidv5(`isPartOf:${item}:${code}:${docId}`, UNITS_NAMESPACE), uri: uri(uuidv5(`isPartOf:${item}:${code}:${docId}`, UNITS_NAMESPACE)), associationType: 'isPartOf', originNodeURI: node(item, s.byId.get(item)!.code), destinationNodeURI: node(unitId(code), u.title), lastChangeDateTime: now })),
    ...u.after.map((a) => ({ identifier: uuidv5(`precedes:${a}:${code}:${docId}`, UNITS_NAMESPACE), uri: uri(uuidv5(`precedes:${a}:${code}:${docId}`, UNITS_NAMESPACE)), associationType: 'precedes', originNodeURI: node(unitId(a), units.get(a)!.title), destinationNodeURI: node(unitId(code), u.title), lastChangeDateTime: now })),
  ]);
  const pkg = {
    CFDocument: { identifier: docId, uri: uri(docId), title, creator: title, language: 'ja', adoptionStatus: 'Draft', lastChangeDateTime: now, extensions: { [EXT]: { framework } } },
    CFItems: [...units].map(([code, u]) => ({
      identifier: unitId(code),
      uri: uri(unitId(code)),
      fullStatement: u.title,
      humanCodingScheme: code,
      CFItemType: 'unit',
      listEnumeration: String(u.order),
      ...(u.grade ? { educationLevel: [u.grade.padStart(2, '0')] } : {}),
      lastChangeDateTime: now,
      extensions: { [EXT]: { grade: u.grade, order: u.order } },
    })),
    CFAssociations: associations,
  };
  await importCaseJson(db, pkg, { audit: { actor, action: 'units.import', details: { framework, units: units.size } } });
  return { identifier: docId, title, framework, units: units.size };
}

const unitsExt = (payload: Record<string, unknown>) => {
  const e = payload['extensions'];
  return e && typeof e === 'object' ? ((e as Record<string, unknown>)[EXT] as Record<string, unknown> | undefined) : undefined;
};

/** The unit schemes imported for a framework. */
export async function listUnitSchemes(db: Db, framework: string): Promise<UnitScheme[]> {
  const out: UnitScheme[] = [];
  for (const d of await listDocuments(db)) {
    if (unitsExt(d.payload)?.['framework'] !== framework) continue;
    const pkg = await loadPackage(db, d.identifier);
    out.push({ identifier: d.identifier, title: d.title, framework, units: pkg?.items.length ?? 0 });
  }
  return out;
}

/** A unit scheme as the map's unit view uses it: groups, each content item's unit, explicit unit precedes. */
export async function unitSchemeView(db: Db, framework: string, schemeId: string) {
  const doc = await getDocument(db, schemeId);
  if (!doc || unitsExt(doc.payload)?.['framework'] !== framework) throw new ShirubeError('not_found', `No unit scheme ${schemeId} for framework ${framework}`, 'units');
  const pkg = (await loadPackage(db, schemeId))!;
  const groups: MapGroup[] = pkg.items.map((i) => {
    const e = unitsExt(i.payload) ?? {};
    const grade = typeof e['grade'] === 'string' ? e['grade'] : null;
    return { id: i.identifier, kind: 'unit', label: String(i.payload['fullStatement']), code: i.humanCodingScheme, parent: null, grade, order: Number(e['order'] ?? 0) };
  });
  groups.sort((a, b) => (Number(a.grade) || 99) - (Number(b.grade) || 99) || a.order - b.order);
  const unitOf = new Map<string, string>();
  const explicit: Array<{ source: string; target: string }> = [];
  for (const a of pkg.associations) {
    if (a.associationType === 'isPartOf' && !unitOf.has(a.originIdentifier)) unitOf.set(a.originIdentifier, a.destinationIdentifier);
    if (a.associationType === 'precedes') explicit.push({ source: a.originIdentifier, target: a.destinationIdentifier });
  }
  return { groups, unitOf, explicit };
}
