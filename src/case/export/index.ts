import type { Db } from '../../store/db.js';
import { loadPackage, type PackageRows } from '../../store/case.js';
import { ShirubeError } from '../../errors.js';
import { serializePackage } from '../serialize.js';
import { packageToCsv, packageToXlsx } from './spreadsheet.js';

export const exportFormats = ['case-json-1.0', 'case-json-1.1', 'xlsx', 'csv'] as const;
export type ExportFormat = (typeof exportFormats)[number];

export interface ExportOptions {
  /** SHIRUBE_PUBLIC_URL: the base of the URIs of entities authored here. */
  publicUrl: string;
  /** CFPackageURI / CFDocumentURI inside the package (CASE JSON only; what OpenSALT-era consumers expect). */
  uriExtras?: boolean | undefined;
}

export interface ExportedFile {
  contentType: string;
  /** A file name for Content-Disposition, from the title (ASCII-safe) and the identifier. */
  filename: string;
  body: Buffer;
}

const contentTypes: Record<ExportFormat, string> = {
  'case-json-1.0': 'application/json; charset=utf-8',
  'case-json-1.1': 'application/json; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
};
const extensions: Record<ExportFormat, string> = { 'case-json-1.0': 'v1p0.json', 'case-json-1.1': 'v1p1.json', xlsx: 'xlsx', csv: 'csv' };

/**
 * A framework as a file: CASE JSON 1.0 or 1.1 (the CFPackage the CASE API serves), or OpenSALT's XLSX / CSV layout.
 * Callers check visibility first; a missing framework is not_found.
 */
export async function exportFramework(db: Db, identifier: string, format: ExportFormat, opts: ExportOptions): Promise<ExportedFile> {
  const rows = await loadPackage(db, identifier);
  if (!rows) throw new ShirubeError('not_found', `No framework (CFDocument) ${identifier}`, 'id');
  return exportPackage(rows, format, opts);
}

/** A package's rows (the stored framework, or a published version of it) as a file; `suffix` goes into the name. */
export async function exportPackage(rows: PackageRows, format: ExportFormat, opts: ExportOptions & { suffix?: string }): Promise<ExportedFile> {
  const identifier = rows.document.identifier;
  const version = format === 'case-json-1.0' ? '1.0' : '1.1';
  const pkg = serializePackage(rows, { version, publicUrl: opts.publicUrl, uriExtras: format.startsWith('case-json') && opts.uriExtras === true });
  const body =
    format === 'xlsx' ? await packageToXlsx(pkg) : format === 'csv' ? Buffer.from(packageToCsv(pkg), 'utf8') : Buffer.from(JSON.stringify(pkg, null, 2), 'utf8');
  const stem = rows.document.title.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'framework';
  return { contentType: contentTypes[format], filename: `${stem}-${identifier}${opts.suffix ?? ''}.${extensions[format]}`, body };
}
