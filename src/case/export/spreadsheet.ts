import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import type { Json } from '../serialize.js';
import { ASSOCIATION_COLUMNS, DOCUMENT_COLUMNS, ITEM_COLUMNS, SHEETS, spreadsheetDateTime, type SheetRow } from '../import/opensalt-layout.js';

type Obj = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const linkOf = (v: unknown) => (v && typeof v === 'object' ? (v as Obj) : {});

/**
 * The items in tree order with their smartLevel: roots (isChildOf the document, or no isChildOf inside the package)
 * first, then depth first. A level's number is the sequenceNumber when every sibling has a distinct one (so an
 * imported smartLevel comes back unchanged), else the position. Items outside the tree follow with no smartLevel.
 */
export function itemTree(pkg: Json): Array<{ item: Obj; smartLevel: string }> {
  const items = pkg['CFItems'] as Obj[];
  const byId = new Map(items.map((i) => [i['identifier'] as string, i]));
  const children = new Map<string, Array<{ id: string; seq: number | undefined; n: number }>>();
  const hasParent = new Set<string>();
  (pkg['CFAssociations'] as Obj[]).forEach((a, n) => {
    if (a['associationType'] !== 'isChildOf') return;
    const origin = str(linkOf(a['originNodeURI'])['identifier']);
    const destination = str(linkOf(a['destinationNodeURI'])['identifier']);
    if (!byId.has(origin) || (!byId.has(destination) && destination !== (pkg['CFDocument'] as Obj)['identifier'])) return;
    const key = byId.has(destination) ? destination : '';
    if (key) hasParent.add(origin);
    children.set(key, [...(children.get(key) ?? []), { id: origin, seq: typeof a['sequenceNumber'] === 'number' ? a['sequenceNumber'] : undefined, n }]);
  });
  const roots = children.get('') ?? [];
  const rootIds = new Set(roots.map((r) => r.id));
  items.forEach((i, n) => {
    const id = i['identifier'] as string;
    if (!hasParent.has(id) && !rootIds.has(id)) roots.push({ id, seq: undefined, n: roots.length + n });
  });
  children.set('', roots);

  const out: Array<{ item: Obj; smartLevel: string }> = [];
  const placed = new Set<string>();
  const walk = (parent: string, prefix: string) => {
    const kids = [...(children.get(parent) ?? [])].sort((a, b) => (a.seq ?? Infinity) - (b.seq ?? Infinity) || a.n - b.n);
    const seqs = kids.map((k) => k.seq);
    const bySeq = seqs.every((s) => s !== undefined && s > 0) && new Set(seqs).size === seqs.length;
    kids.forEach((k, i) => {
      if (placed.has(k.id)) return;
      placed.add(k.id);
      const level = `${prefix}${bySeq ? k.seq : i + 1}`;
      out.push({ item: byId.get(k.id)!, smartLevel: level });
      walk(k.id, `${level}.`);
    });
  };
  walk('', '');
  for (const i of items) if (!placed.has(i['identifier'] as string)) out.push({ item: i, smartLevel: '' });
  return out;
}

export function itemRows(pkg: Json): SheetRow[] {
  return itemTree(pkg).map(({ item, smartLevel }) => ({
    identifier: str(item['identifier']),
    fullStatement: str(item['fullStatement']),
    humanCodingScheme: str(item['humanCodingScheme']),
    smartLevel,
    listEnumeration: str(item['listEnumeration']),
    abbreviatedStatement: str(item['abbreviatedStatement']),
    conceptKeywords: ((item['conceptKeywords'] as string[] | undefined) ?? []).join(','),
    notes: str(item['notes']),
    language: str(item['language']),
    educationLevel: ((item['educationLevel'] as string[] | undefined) ?? []).join(','),
    CFItemType: str(item['CFItemType']),
    license: str(linkOf(item['licenseURI'])['title']),
    lastChangeDateTime: spreadsheetDateTime(item['lastChangeDateTime']),
  }));
}

function documentRow(pkg: Json): SheetRow {
  const d = pkg['CFDocument'] as Obj;
  const licenseId = linkOf(d['licenseURI'])['identifier'];
  const license = ((linkOf(pkg['CFDefinitions'])['CFLicenses'] as Obj[] | undefined) ?? []).find((l) => l['identifier'] === licenseId);
  return {
    identifier: str(d['identifier']), creator: str(d['creator']), title: str(d['title']), lastChangeDate: spreadsheetDateTime(d['lastChangeDateTime']),
    officialSourceURL: str(d['officialSourceURL']), publisher: str(d['publisher']), description: str(d['description']),
    subject: ((d['subject'] as string[] | undefined) ?? []).join('|'), language: str(d['language']), version: str(d['version']),
    adoptionStatus: str(d['adoptionStatus']), statusStartDate: str(d['statusStartDate']), statusEndDate: str(d['statusEndDate']),
    licenseTitle: str(license?.['title'] ?? linkOf(d['licenseURI'])['title']), licenseText: str(license?.['licenseText']), notes: str(d['notes']),
  };
}

function associationRows(pkg: Json): SheetRow[] {
  const hcs = new Map((pkg['CFItems'] as Obj[]).map((i) => [i['identifier'], str(i['humanCodingScheme'])]));
  const groups = new Map(((linkOf(pkg['CFDefinitions'])['CFAssociationGroupings'] as Obj[] | undefined) ?? []).map((g) => [g['identifier'], str(g['title'])]));
  return (pkg['CFAssociations'] as Obj[]).map((a) => {
    const o = linkOf(a['originNodeURI']);
    const d = linkOf(a['destinationNodeURI']);
    const g = linkOf(a['CFAssociationGroupingURI']);
    return {
      identifier: str(a['identifier']),
      originNodeURI: str(o['uri']), originNodeIdentifier: str(o['identifier']), originNodeHumanCodingScheme: hcs.get(o['identifier']) || str(o['title']),
      associationType: str(a['associationType']),
      destinationNodeURI: str(d['uri']), destinationNodeIdentifier: str(d['identifier']), destinationNodeHumanCodingScheme: hcs.get(d['identifier']) || str(d['title']),
      associationGroupIdentifier: str(g['identifier']), associationGroupName: str(groups.get(g['identifier']) ?? g['title']),
      sequenceNumber: str(a['sequenceNumber']),
    };
  });
}

const table = (columns: readonly string[], rows: SheetRow[]) => [columns as string[], ...rows.map((r) => columns.map((c) => r[c] ?? ''))];

/**
 * OpenSALT's item CSV: one row per item, smartLevel for the hierarchy (other associations are not in this layout).
 * A crosswalk (frameworkType "crosswalk", no items of its own) is its associations, in the CF Association columns.
 */
export function packageToCsv(pkg: Json): string {
  if ((pkg['CFDocument'] as Obj)['frameworkType'] === 'crosswalk') return stringify(table(ASSOCIATION_COLUMNS, associationRows(pkg)));
  return stringify(table(ITEM_COLUMNS, itemRows(pkg)));
}

/** OpenSALT's workbook: CF Doc, CF Item, CF Association (every association, the tree's isChildOf included). */
export async function packageToXlsx(pkg: Json): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Shirube';
  const add = (name: string, rows: string[][]) => {
    const ws = wb.addWorksheet(name);
    ws.addRows(rows);
    ws.getRow(1).font = { bold: true };
  };
  add(SHEETS.document, table(DOCUMENT_COLUMNS, [documentRow(pkg)]));
  add(SHEETS.items, table(ITEM_COLUMNS, itemRows(pkg)));
  add(SHEETS.associations, table(ASSOCIATION_COLUMNS, associationRows(pkg)));
  return Buffer.from(await wb.xlsx.writeBuffer());
}
