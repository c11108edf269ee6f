import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { uuidv5, type CFAssociation, type CFItem, type CFPackage } from '../case/index.js';
import { buildCourseOfStudyPackages, parseCodeTable } from '../case/import/cscode.js';
import { ShirubeError } from '../errors.js';
import { relationTypes, type RelationType } from './model.js';
import type { TruthRow } from './evaluate.js';

/**
 * Evaluation data sets as frameworks plus ground truth. Nothing here is shipped: the CLI reads the files from
 * where the user keeps them (e.g. ../shared/data/prerequisites) and writes its output outside the repository.
 */
export interface Dataset {
  package: CFPackage;
  truth: TruthRow[];
}

const NS = '0b0f6a43-7f3e-4b8e-9d0c-6d1f3c2a9e51';
const id = (name: string) => uuidv5(name, NS);
const NOW = '2026-01-01T00:00:00+00:00';
const link = (identifier: string, title: string) => ({ identifier, title, uri: `urn:shirube:eval:${identifier}` });

interface CoherenceNode {
  code: string;
  grade: string;
  domain: string;
  domainName: string;
  cluster: string;
  clusterName: string;
  text: string;
}

/**
 * The CCSS Math Coherence Map (`coherence-map.json` of Student Achievement Partners' data) as a CASE framework
 * Grade → Domain → Cluster → Standard (→ sub-standard), with its prerequisite (precedes) and related
 * (isRelatedTo) links as ground truth.
 */
export function ccssCoherenceMap(dir: string): Dataset {
  let data: { nodes: CoherenceNode[]; precedes: Array<{ from: string; to: string }>; related: Array<{ a: string; b: string }> };
  try {
    data = JSON.parse(readFileSync(join(dir, 'coherence-map.json'), 'utf8'));
  } catch (e) {
    throw new ShirubeError('invalid_request', `${dir}: no readable coherence-map.json (${(e as Error).message})`, 'dir');
  }
  const docId = id('ccss-coherence-map');
  const items: CFItem[] = [];
  const assocs: CFAssociation[] = [];
  const made = new Map<string, string>();
  const grades = ['K', '1', '2', '3', '4', '5', '6', '7', '8', 'HS'];
  const level = (g: string) => (g === 'K' ? ['KG'] : g === 'HS' ? ['09', '10', '11', '12'] : [g.padStart(2, '0')]);
  const add = (key: string, type: string, code: string | undefined, text: string, grade: string, parent: string | undefined) => {
    const identifier = id(key);
    made.set(key, identifier);
    items.push({
      identifier, uri: `urn:shirube:eval:${identifier}`, fullStatement: text, CFItemType: type, educationLevel: level(grade),
      lastChangeDateTime: NOW, ...(code ? { humanCodingScheme: code } : {}),
    });
    const parentId = parent ? made.get(parent)! : docId;
    assocs.push({
      identifier: id(`isChildOf:${key}`), uri: `urn:shirube:eval:${id(`isChildOf:${key}`)}`, associationType: 'isChildOf', lastChangeDateTime: NOW,
      originNodeURI: link(identifier, code ?? text), destinationNodeURI: link(parentId, parent ?? 'CCSS Math'),
    });
  };
  const nodes = [...data.nodes].sort((a, b) => grades.indexOf(a.grade) - grades.indexOf(b.grade) || a.code.localeCompare(b.code, 'en', { numeric: true }));
  for (const n of nodes) {
    const g = `grade:${n.grade}`;
    const d = `${g}/${n.domain}`;
    const c = `${d}/${n.cluster}`;
    if (!made.has(g)) add(g, 'Grade', n.grade, n.grade === 'K' ? 'Kindergarten' : n.grade === 'HS' ? 'High School' : `Grade ${n.grade}`, n.grade, undefined);
    if (!made.has(d)) add(d, 'Domain', `${n.grade}.${n.domain}`, n.domainName.replace(/\*$/, ''), n.grade, g);
    if (!made.has(c)) add(c, 'Cluster', `${n.grade}.${n.domain}.${n.cluster}`, n.clusterName, n.grade, d);
    // A sub-standard (4.NF.B.3.a) is a child of its standard (4.NF.B.3) when the map has it.
    const parentCode = n.code.replace(/\.[a-z]$/, '');
    const parent = parentCode !== n.code && made.has(`std:${parentCode}`) ? `std:${parentCode}` : c;
    add(`std:${n.code}`, 'Standard', n.code, n.text, n.grade, parent);
  }
  return {
    package: {
      CFDocument: {
        identifier: docId, uri: `urn:shirube:eval:${docId}`, creator: 'Student Achievement Partners', title: 'CCSS Math Coherence Map (evaluation)',
        lastChangeDateTime: NOW, language: 'en', adoptionStatus: 'Private Draft',
        notes: 'Built by shirube relations dataset ccss from the Coherence Map data (CC0, credit Student Achievement Partners); standards text © NGA Center / CCSSO.',
      },
      CFItems: items,
      CFAssociations: assocs,
    },
    truth: [
      ...data.precedes.map((e) => ({ origin: e.from, destination: e.to, type: 'precedes' as const })),
      ...data.related.map((e) => ({ origin: e.a, destination: e.b, type: 'isRelatedTo' as const })),
    ],
  };
}

/**
 * Any CFPackage with its own precedes / isRelatedTo associations held out as ground truth (Smarter Balanced's
 * content specification): the package keeps everything else.
 */
export function holdOut(pkg: CFPackage): Dataset {
  const held = (a: CFAssociation) => (relationTypes as readonly string[]).includes(a.associationType);
  const truth = pkg.CFAssociations.filter(held).flatMap((a) => {
    const o = a.originNodeURI?.identifier;
    const d = a.destinationNodeURI?.identifier;
    return o && d ? [{ origin: o, destination: d, type: a.associationType as RelationType }] : [];
  });
  return { package: { ...pkg, CFAssociations: pkg.CFAssociations.filter((a) => !held(a)) }, truth };
}

/** What building the Course of Study commentary data set found in the relations file. */
export interface CommentaryReport {
  /** Relation rows read (basicItem + advancedItem). */
  rows: number;
  basicItem: number;
  advancedItem: number;
  /** Rows with both ends in the framework, and the distinct precedes pairs they give (the ground truth). */
  rowsInside: number;
  pairs: number;
  /** Rows inside that repeat a pair already given (the same row twice, or S basicItem X beside X advancedItem S). */
  repeatedRows: number;
  /** Rows with an end outside the framework (e.g. lower secondary 836… codes), their distinct pairs and codes. */
  rowsOutside: number;
  pairsOutside: number;
  codesOutside: string[];
  /** The ground truth's ends by Course of Study level (category = the (n) 内容項目). */
  endLevels: Record<string, number>;
  /** The CFItemType of the truth's ends when they are all of one type (what `--item-types` should relate). */
  itemType: string | undefined;
  /** Subject codes of the relations file inside the framework: the items whose relations the commentary lists. */
  subjects: string[];
}

export interface CommentaryDataset extends Dataset {
  report: CommentaryReport;
}

/**
 * The 基礎 (basicItem) / 応用 (advancedItem) relations of the Course of Study commentary (jp-cos-commentary, a TSV
 * `subject_code, relation, object_code[, …]`) on the framework the Course of Study importer builds from a code
 * table. `S basicItem X`: X is the basis of S, so X precedes S; `S advancedItem Y`: S precedes Y. Pairs are
 * deduplicated; rows with an end outside the framework are counted in the report, not in the truth.
 */
export function courseOfStudyCommentary(codeTable: string | Uint8Array, relations: string | Uint8Array): CommentaryDataset {
  const packages = buildCourseOfStudyPackages(parseCodeTable(codeTable), { version: '82V11', lastChangeDateTime: new Date(NOW) });
  if (packages.length !== 1) throw new ShirubeError('invalid_request', `csv: the code table must hold one subject (it holds ${packages.length})`, 'csv');
  const pkg = packages[0]!;
  let rows: Array<Record<string, string>>;
  try {
    rows = parse(typeof relations === 'string' ? relations : Buffer.from(relations), { columns: true, bom: true, delimiter: '\t', skip_empty_lines: true, trim: true, relax_column_count: true });
  } catch (e) {
    throw new ShirubeError('invalid_request', `relations: not a tab-separated file with a header (${(e as Error).message})`, 'relations');
  }
  const byCode = new Map(pkg.CFItems.map((i) => [i.humanCodingScheme!, i]));
  const level = (i: CFItem) => String((i.extensions?.['courseOfStudy'] as Record<string, unknown> | undefined)?.['level'] ?? '');
  const truth: TruthRow[] = [];
  const seen = new Set<string>();
  const outside = new Set<string>();
  const codesOutside = new Set<string>();
  const subjects = new Set<string>();
  const ends = new Map<string, CFItem>();
  const report = { rows: rows.length, basicItem: 0, advancedItem: 0, rowsInside: 0, repeatedRows: 0, rowsOutside: 0 };
  rows.forEach((r, n) => {
    const subject = r['subject_code'];
    const relation = r['relation'];
    const object = r['object_code'];
    if (!subject) throw new ShirubeError('invalid_request', `relations[${n}].subject_code: is required`, `relations[${n}].subject_code`);
    if (!object) throw new ShirubeError('invalid_request', `relations[${n}].object_code: is required`, `relations[${n}].object_code`);
    if (relation !== 'basicItem' && relation !== 'advancedItem') {
      throw new ShirubeError('invalid_request', `relations[${n}].relation: "${relation ?? ''}" is not basicItem or advancedItem`, `relations[${n}].relation`);
    }
    report[relation]++;
    const [from, to] = relation === 'basicItem' ? [object, subject] : [subject, object];
    const a = byCode.get(from);
    const b = byCode.get(to);
    if (byCode.has(subject)) subjects.add(subject);
    if (!a || !b) {
      report.rowsOutside++;
      outside.add(`${from}\t${to}`);
      for (const c of [from, to]) if (!byCode.has(c)) codesOutside.add(c);
      return;
    }
    report.rowsInside++;
    const key = `${a.identifier}\t${b.identifier}`;
    if (seen.has(key)) {
      report.repeatedRows++;
      return;
    }
    seen.add(key);
    ends.set(a.identifier, a).set(b.identifier, b);
    truth.push({ origin: a.identifier, destination: b.identifier, type: 'precedes' });
  });
  const endLevels: Record<string, number> = {};
  for (const i of ends.values()) endLevels[level(i)] = (endLevels[level(i)] ?? 0) + 1;
  const types = new Set([...ends.values()].map((i) => String(i.CFItemType ?? '')));
  return {
    package: pkg,
    truth,
    report: {
      ...report, pairs: truth.length, pairsOutside: outside.size, codesOutside: [...codesOutside].sort(), endLevels,
      itemType: types.size === 1 ? [...types][0] : undefined, subjects: [...subjects].sort(),
    },
  };
}

/** Ground truth as the CSV `relations evaluate --ground-truth` reads. */
export function truthCsv(truth: TruthRow[]): string {
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return ['origin,destination,type', ...truth.map((t) => `${q(t.origin)},${q(t.destination)},${t.type}`)].join('\n') + '\n';
}
