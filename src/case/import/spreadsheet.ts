import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type { Db } from '../../store/db.js';
import { ShirubeError } from '../../errors.js';
import { localUri, type CFAssociation, type CFDefinitionEntity, type CFDocument, type CFItem, type CFPackage, type LinkURI } from '../model.js';
import { packageToRows, parseCaseDateTime } from '../package.js';
import { uuidv4, uuidv5 } from '../uuid.js';
import { saveImported, saveOptions, type ImportResult, type OnProgress, type SaveOptions } from './save.js';
import { ITEM_COLUMNS, SHEETS, SPREADSHEET_NAMESPACE, type SheetRow } from './opensalt-layout.js';

export type SpreadsheetFormat = 'csv' | 'xlsx';

/** Document metadata for a spreadsheet; a CSV carries none, so title and creator are required for it. */
export interface SpreadsheetDocumentOptions {
  identifier?: string | undefined;
  title?: string | undefined;
  creator?: string | undefined;
  publisher?: string | undefined;
  description?: string | undefined;
  language?: string | undefined;
  adoptionStatus?: string | undefined;
  organizationId?: string | null | undefined;
  now?: Date | undefined;
}

const invalid = (field: string, message: string) => new ShirubeError('invalid_request', `${field}: ${message}`, field);
const SMART_LEVEL = /^\d+(\.\d+)*$/;

/** A cell as text: exceljs gives numbers, dates, rich text, hyperlinks and formula results as objects. */
function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString();
  if ('richText' in v) return v.richText.map((r) => r.text).join('');
  if ('text' in v && typeof v.text === 'string') return v.text;
  if ('result' in v) return v.result === undefined ? '' : cellText(v.result as ExcelJS.CellValue);
  if ('error' in v) return '';
  return String(v);
}

/** The rows of a sheet as objects keyed by its header row; empty rows are skipped. */
function sheetRows(ws: ExcelJS.Worksheet): SheetRow[] {
  const header = ((ws.getRow(1).values as ExcelJS.CellValue[]) ?? []).map((v) => cellText(v).trim());
  const out: SheetRow[] = [];
  ws.eachRow((row, n) => {
    if (n === 1) return;
    const values = row.values as ExcelJS.CellValue[];
    const r: SheetRow = {};
    header.forEach((h, col) => { if (h) r[h] = cellText(values[col] ?? null).trim(); });
    if (Object.values(r).some((x) => x !== '')) out.push(r);
  });
  return out;
}

export interface SpreadsheetTables {
  document?: SheetRow | undefined;
  items: SheetRow[];
  associations: SheetRow[];
}

export function readCsv(input: string | Uint8Array): SpreadsheetTables {
  let items: SheetRow[];
  try {
    items = parse(typeof input === 'string' ? input : Buffer.from(input), { columns: (h: string[]) => h.map((x) => x.trim()), bom: true, skip_empty_lines: true, trim: false });
  } catch (e) {
    throw invalid('(body)', `not a CSV file (${(e as Error).message})`);
  }
  return { items, associations: [] };
}

export async function readXlsx(input: Uint8Array): Promise<SpreadsheetTables> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(Buffer.from(input) as unknown as ArrayBuffer);
  } catch (e) {
    throw invalid('(body)', `not an XLSX workbook (${(e as Error).message})`);
  }
  const sheet = (name: string) => wb.getWorksheet(name);
  const items = sheet(SHEETS.items);
  if (!items) throw invalid(SHEETS.items, `the workbook has no "${SHEETS.items}" sheet (OpenSALT layout: "${SHEETS.document}", "${SHEETS.items}", "${SHEETS.associations}")`);
  const doc = sheet(SHEETS.document);
  const assoc = sheet(SHEETS.associations);
  return { document: doc ? sheetRows(doc)[0] : undefined, items: sheetRows(items), associations: assoc ? sheetRows(assoc) : [] };
}

const list = (s: string | undefined, sep = ',') => (s ? s.split(sep).map((x) => x.trim()).filter(Boolean) : []);
const isoDateTime = (s: string | undefined, now: Date) => (parseCaseDateTime(s) ?? now).toISOString().replace(/\.\d{3}Z$/, '+00:00');
const sequenceNumber = (s: string | undefined) => (s && /^-?\d+$/.test(s) ? Number(s) : undefined);
const given = <T extends Record<string, unknown>>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '' && !(Array.isArray(v) && !v.length))) as Partial<T>;

/**
 * The OpenSALT layout to a CFPackage: items from the item rows, isChildOf associations (with sequenceNumber) from
 * smartLevel, other associations from the association sheet. Entities are authored here (URIs minted when served).
 */
export function spreadsheetToPackage(t: SpreadsheetTables, opts: SpreadsheetDocumentOptions = {}): CFPackage {
  const now = opts.now ?? new Date();
  const d = t.document ?? {};
  for (const c of ['identifier', 'fullStatement'] as const) {
    if (t.items.length && !(c in t.items[0]!)) throw invalid(c, `column "${c}" is required (OpenSALT item columns: ${ITEM_COLUMNS.join(', ')})`);
  }
  const title = opts.title ?? d['title'];
  const creator = opts.creator ?? d['creator'];
  if (!title) throw invalid('title', 'is required: the spreadsheet has no CF Doc title; give one');
  if (!creator) throw invalid('creator', 'is required: the spreadsheet has no CF Doc creator; give one');
  const docId = opts.identifier || d['identifier'] || uuidv4();
  const named = (name: string) => uuidv5(`${docId} ${name}`, SPREADSHEET_NAMESPACE);
  const link = (identifier: string, linkTitle: string): LinkURI => ({ title: linkTitle, identifier, uri: localUri(identifier) });
  const docLink = link(docId, title);

  const itemTypes = new Map<string, CFDefinitionEntity>();
  const licenses = new Map<string, CFDefinitionEntity>();
  const definition = (map: Map<string, CFDefinitionEntity>, kind: string, name: string, extra: Record<string, unknown>) => {
    if (!map.has(name)) {
      const id = named(`${kind}:${name}`);
      map.set(name, { identifier: id, uri: localUri(id), title: name, ...extra, lastChangeDateTime: isoDateTime(undefined, now) });
    }
    return map.get(name)!;
  };
  if (d['licenseTitle']) definition(licenses, 'CFLicense', d['licenseTitle'], { licenseText: d['licenseText'] || d['licenseTitle'] });

  const bySmartLevel = new Map<string, string>();
  const items: CFItem[] = t.items.map((r, i) => {
    if (!r['fullStatement']) throw invalid(`rows[${i}].fullStatement`, 'is required');
    const id = r['identifier'] || uuidv4();
    const smart = r['smartLevel'] ?? '';
    if (smart && smart !== '0') {
      if (!SMART_LEVEL.test(smart)) throw invalid(`rows[${i}].smartLevel`, `"${smart}" is not a smartLevel such as 1.2.3`);
      if (bySmartLevel.has(smart)) throw invalid(`rows[${i}].smartLevel`, `${smart} is used twice`);
      bySmartLevel.set(smart, id);
    }
    const type = r['CFItemType'] ? definition(itemTypes, 'CFItemType', r['CFItemType'], { description: r['CFItemType'], hierarchyCode: r['CFItemType'], typeCode: r['CFItemType'] }) : undefined;
    const license = r['license'] ? definition(licenses, 'CFLicense', r['license'], { licenseText: r['license'] }) : undefined;
    return {
      identifier: id,
      uri: localUri(id),
      fullStatement: r['fullStatement'],
      ...given({
        humanCodingScheme: r['humanCodingScheme'], listEnumeration: r['listEnumeration'], abbreviatedStatement: r['abbreviatedStatement'],
        conceptKeywords: list(r['conceptKeywords']), notes: r['notes'], language: r['language'], educationLevel: list(r['educationLevel']),
        CFItemType: type?.title,
      }),
      ...(type ? { CFItemTypeURI: link(type.identifier, type.title) } : {}),
      ...(license ? { licenseURI: link(license.identifier, license.title) } : {}),
      lastChangeDateTime: isoDateTime(r['lastChangeDateTime'], now),
    };
  });
  const itemById = new Map(items.map((x) => [x.identifier, x]));
  const nodeTitle = (id: string) => itemById.get(id)?.humanCodingScheme ?? itemById.get(id)?.fullStatement.slice(0, 60) ?? '';

  // The association sheet may repeat the tree's isChildOf rows (an export does): their identifiers are kept.
  const sheetChildOf = new Map<string, SheetRow>();
  for (const a of t.associations) {
    if (a['associationType'] === 'isChildOf' && itemById.has(a['originNodeIdentifier'] ?? '')) sheetChildOf.set(`${a['originNodeIdentifier']} ${a['destinationNodeIdentifier']}`, a);
  }
  const used = new Set<SheetRow>();
  const treeAssociations: CFAssociation[] = [];
  for (const [smart, id] of bySmartLevel) {
    const parentLevel = smart.includes('.') ? smart.slice(0, smart.lastIndexOf('.')) : undefined;
    const parent = parentLevel !== undefined ? bySmartLevel.get(parentLevel) : undefined;
    const destination = parent ? link(parent, nodeTitle(parent)) : docLink;
    const row = sheetChildOf.get(`${id} ${destination.identifier}`);
    if (row) used.add(row);
    const assocId = row?.['identifier'] || named(`isChildOf:${id}:${destination.identifier}`);
    // Shirube's own export says which tree associations had a sequenceNumber; otherwise smartLevel gives it.
    const seq = row && 'sequenceNumber' in row ? sequenceNumber(row['sequenceNumber']) : Number(smart.slice(smart.lastIndexOf('.') + 1));
    treeAssociations.push({
      identifier: assocId,
      uri: localUri(assocId),
      associationType: 'isChildOf',
      originNodeURI: link(id, nodeTitle(id)),
      destinationNodeURI: destination,
      ...(seq !== undefined ? { sequenceNumber: seq } : {}),
      lastChangeDateTime: isoDateTime(undefined, now),
    });
  }

  const groupings = new Map<string, CFDefinitionEntity>();
  const other: CFAssociation[] = t.associations.filter((a) => !used.has(a)).map((a, i) => {
    const field = `associations[${i}]`;
    for (const c of ['associationType', 'originNodeIdentifier', 'destinationNodeIdentifier'] as const) {
      if (!a[c]) throw invalid(`${field}.${c}`, 'is required');
    }
    const node = (id: string, uri: string | undefined, hcs: string | undefined): LinkURI =>
      itemById.has(id) || id === docId ? link(id, itemById.has(id) ? nodeTitle(id) : title) : { title: hcs ?? '', identifier: id, uri: uri || `urn:x-ref-unresolved:${id}` };
    const id = a['identifier'] || uuidv4();
    const group = a['associationGroupIdentifier'];
    if (group && !groupings.has(group)) {
      groupings.set(group, { identifier: group, uri: localUri(group), title: a['associationGroupName'] || group, lastChangeDateTime: isoDateTime(undefined, now) });
    }
    const seq = sequenceNumber(a['sequenceNumber']);
    return {
      identifier: id,
      uri: localUri(id),
      associationType: a['associationType']!,
      originNodeURI: node(a['originNodeIdentifier']!, a['originNodeURI'], a['originNodeHumanCodingScheme']),
      destinationNodeURI: node(a['destinationNodeIdentifier']!, a['destinationNodeURI'], a['destinationNodeHumanCodingScheme']),
      ...(seq !== undefined ? { sequenceNumber: seq } : {}),
      ...(group ? { CFAssociationGroupingURI: link(group, groupings.get(group)!.title) } : {}),
      lastChangeDateTime: isoDateTime(undefined, now),
    };
  });

  const docLicense = licenses.get(d['licenseTitle'] ?? '');
  const document: CFDocument = {
    identifier: docId,
    uri: localUri(docId),
    creator,
    title,
    lastChangeDateTime: isoDateTime(d['lastChangeDate'], now),
    ...given({
      officialSourceURL: d['officialSourceURL'], publisher: opts.publisher ?? d['publisher'], description: opts.description ?? d['description'],
      subject: list(d['subject'], '|'), language: opts.language ?? d['language'], version: d['version'],
      adoptionStatus: opts.adoptionStatus ?? d['adoptionStatus'], statusStartDate: d['statusStartDate'], statusEndDate: d['statusEndDate'],
      notes: d['notes'],
    }),
    ...(docLicense ? { licenseURI: link(docLicense.identifier, docLicense.title) } : {}),
  };
  const definitions = given({ CFItemTypes: [...itemTypes.values()], CFLicenses: [...licenses.values()], CFAssociationGroupings: [...groupings.values()] });
  return {
    CFDocument: document,
    CFItems: items,
    CFAssociations: [...treeAssociations, ...other],
    ...(Object.keys(definitions).length ? { CFDefinitions: definitions } : {}),
  };
}

export interface SpreadsheetImportOptions extends SpreadsheetDocumentOptions, Omit<SaveOptions, 'onProgress'> {}

/** Imports an OpenSALT-style spreadsheet (CSV: items only; XLSX: CF Doc, CF Item, CF Association) in one transaction. */
export async function importSpreadsheet(db: Db, input: Uint8Array | string, format: SpreadsheetFormat, opts: SpreadsheetImportOptions = {}, onProgress?: OnProgress): Promise<ImportResult> {
  const tables = format === 'csv' ? readCsv(input) : await readXlsx(typeof input === 'string' ? Buffer.from(input) : input);
  const pkg = spreadsheetToPackage(tables, opts);
  const rows = packageToRows(pkg, { authored: true, organizationId: opts.organizationId ?? null, ...(opts.now ? { now: opts.now } : {}) });
  const [result] = await saveImported(db, rows, { ...saveOptions(opts), onProgress });
  return result!;
}
