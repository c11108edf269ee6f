import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import type { Db } from '../store/db.js';
import { getDocument } from '../store/case.js';
import { importCaseJson, uuidv5 } from '../case/index.js';

const FILE = 'assets/frameworks/elementary-math-2017-precedes.csv';
/** The CSCASE namespace (docs/cscase.md): item identifiers are uuidv5(code). */
const COURSE_OF_STUDY_NAMESPACE = '6339caf0-f1b3-458e-9f19-bf2902b60963';
/** Our own namespace for the reviewed demo associations (generated once; never change it). */
const DEMO_NAMESPACE = 'b0c8f6a2-3c1e-4f51-9d7a-6a1f2f0c5e41';
export const DEMO_PRECEDES_DOCUMENT = uuidv5('CFDocument:demo-precedes:8250000000000000', DEMO_NAMESPACE);
export const MATH_2017_DOCUMENT = uuidv5('CFDocument:8250000000000000', COURSE_OF_STUDY_NAMESPACE);
/** 理科 2017 (shipped with 算数; no precedes set of its own). */
export const SCIENCE_2017_DOCUMENT = uuidv5('CFDocument:82600L0000000000', COURSE_OF_STUDY_NAMESPACE);

/** The set's lastChangeDateTime, its version: a database holding an older one gets this one (ensureDemoPrecedes). */
const SET_VERSION = '2026-12-05T00:00:00+00:00';

function assetPath(): string {
  for (const up of ['../../', '../../../']) {
    const path = fileURLToPath(new URL(up + FILE, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error(`${FILE} is missing from the installation`);
}

/**
 * The team's reviewed precedes associations for the 217 算数 content items (docs/demo.md), as a CASE package of
 * its own (CFDocument + CFAssociations between the 算数 items), each with its provenance in `extensions`.
 */
export function demoPrecedesPackage(publicUrl: string) {
  const rows = parse(readFileSync(assetPath()), { columns: true, skip_empty_lines: true }) as Array<Record<string, string>>;
  const now = SET_VERSION;
  const node = (code: string) => {
    const id = uuidv5(code, COURSE_OF_STUDY_NAMESPACE);
    return { title: code, identifier: id, uri: `${publicUrl}/uri/${id}` };
  };
  const docUri = `${publicUrl}/uri/${DEMO_PRECEDES_DOCUMENT}`;
  return {
    CFDocument: {
      identifier: DEMO_PRECEDES_DOCUMENT,
      uri: docUri,
      title: '算数（平成29年告示）内容の系統 — Shirube チームレビュー（デモ用）',
      creator: 'Shirube team',
      language: 'ja',
      adoptionStatus: 'Draft',
      description: '小学校学習指導要領（平成29年告示）算数の内容の項目の間の系統（precedes）。Shirube チームが学習指導要領の構成から作成したデモ用のもの（docs/demo.md）で、関係の推定とレビューで本来のものができるまで使います。',
      lastChangeDateTime: now,
    },
    CFItems: [],
    CFAssociations: rows.map((r) => {
      const id = uuidv5(`precedes:${r['origin_code']}:${r['destination_code']}`, DEMO_NAMESPACE);
      return {
        identifier: id,
        uri: `${publicUrl}/uri/${id}`,
        associationType: 'precedes',
        originNodeURI: node(r['origin_code']!),
        destinationNodeURI: node(r['destination_code']!),
        CFDocumentURI: { title: '算数 内容の系統（デモ）', identifier: DEMO_PRECEDES_DOCUMENT, uri: docUri },
        lastChangeDateTime: now,
        extensions: { provenance: { source: 'shirube-team-review', rule: r['rule'], note: r['note'], reviewedIn: 'docs/demo.md' } },
      };
    }),
  };
}

/**
 * Loads the demo precedes set when 算数 2017 is present and the set is missing or an older version; the import
 * replaces that one document's associations in its own transaction (savePackage).
 */
export async function ensureDemoPrecedes(db: Db, publicUrl: string): Promise<boolean> {
  if (!(await getDocument(db, MATH_2017_DOCUMENT))) return false;
  const stored = await getDocument(db, DEMO_PRECEDES_DOCUMENT);
  if (stored && stored.lastChange.getTime() === Date.parse(SET_VERSION)) return false;
  await importCaseJson(db, demoPrecedesPackage(publicUrl), { audit: { actor: 'system', action: 'framework.import.demo' } });
  return true;
}
