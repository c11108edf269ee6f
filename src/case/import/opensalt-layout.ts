/**
 * The OpenSALT spreadsheet layout, shared by the spreadsheet import and export (docs/import-export.md).
 * XLSX: sheets "CF Doc" (one row), "CF Item" and "CF Association". CSV: the "CF Item" columns only.
 * The hierarchy travels as `smartLevel` (1, 1.2, 1.2.3: a position under the parent), not as associations.
 */
export const SHEETS = { document: 'CF Doc', items: 'CF Item', associations: 'CF Association' } as const;

export const DOCUMENT_COLUMNS = [
  'identifier', 'creator', 'title', 'lastChangeDate', 'officialSourceURL', 'publisher', 'description', 'subject', 'language',
  'version', 'adoptionStatus', 'statusStartDate', 'statusEndDate', 'licenseTitle', 'licenseText', 'notes',
] as const;

/** OpenSALT's twelve item columns, then lastChangeDateTime (as in OpenSALT's item CSV). */
export const ITEM_COLUMNS = [
  'identifier', 'fullStatement', 'humanCodingScheme', 'smartLevel', 'listEnumeration', 'abbreviatedStatement', 'conceptKeywords',
  'notes', 'language', 'educationLevel', 'CFItemType', 'license', 'lastChangeDateTime',
] as const;

/** OpenSALT's ten association columns, then sequenceNumber (Shirube's addition; OpenSALT ignores extra columns). */
export const ASSOCIATION_COLUMNS = [
  'identifier', 'originNodeURI', 'originNodeIdentifier', 'originNodeHumanCodingScheme', 'associationType', 'destinationNodeURI',
  'destinationNodeIdentifier', 'destinationNodeHumanCodingScheme', 'associationGroupIdentifier', 'associationGroupName', 'sequenceNumber',
] as const;

export type SheetRow = Record<string, string>;

/** Names UUID v5 identifiers of entities a spreadsheet implies (smartLevel isChildOf, item types, licences). */
export const SPREADSHEET_NAMESPACE = '792984d2-2fab-4427-9d2b-3b3676179cef';

/** OpenSALT writes date-times as `YYYY-MM-DD HH:MM:SS` (UTC). */
export function spreadsheetDateTime(v: unknown): string {
  if (typeof v !== 'string' || !v) return '';
  const d = new Date(/(Z|[+-]\d{2}:?\d{2})$/i.test(v) ? v : `${v.replace(' ', 'T')}Z`);
  return Number.isNaN(d.getTime()) ? v : d.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, '');
}
