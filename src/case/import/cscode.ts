import { parse } from 'csv-parse/sync';
import type { Db } from '../../store/db.js';
import { ShirubeError } from '../../errors.js';
import { localUri, type CFAssociation, type CFDefinitionEntity, type CFDocument, type CFItem, type CFPackage, type LinkURI } from '../model.js';
import { packageToRows } from '../package.js';
import { COURSE_OF_STUDY_CODE, cscaseId, lodUri } from '../cscode.js';
import { saveImported, saveOptions, type ImportResult, type OnProgress, type SaveOptions } from './save.js';

/**
 * CSCASE: the Course of Study Code table (MEXT 学習指導要領コード, with the columns of
 * assets/frameworks/elementary-math-2017.csv) to one CFPackage per subject. Everything is derived from the code
 * digits, `parent_code` and the row's columns, for any subject; the model is described in docs/cscase.md.
 */

type Row = Record<string, string>;
const invalid = (field: string, message: string) => new ShirubeError('invalid_request', `${field}: ${message}`, field);

/** CFItemType per level of the table (the `level` column), Japanese title first. Unknown levels get a generic type. */
const LEVELS: Record<string, { title: string; description: string }> = {
  subject: { title: '教科等', description: '教科等（コード3桁目）。Subject (code digit 3).' },
  section: { title: '大項目', description: '第１ 目標／第２ 各学年の目標及び内容／第３ 指導計画の作成と内容の取扱い（コード5桁目）。Major section (digit 5).' },
  subject_goal: { title: '教科の目標', description: '教科の目標 (1)(2)(3)。Goals of the subject.' },
  grade: { title: '学年', description: '〔第n学年〕（コード6桁目）。Grade (digit 6).' },
  grade_block: { title: '学年の項目', description: '１ 目標／２ 内容／３ 内容の取扱い（コード7桁目）。Goals, content or handling of a grade (digit 7).' },
  grade_goal: { title: '学年の目標', description: '各学年の目標 (1)(2)(3)。Goals of a grade.' },
  domain: { title: '領域', description: '内容の領域（Ａ Ｂ Ｃ Ｄ、〔数学的活動〕、〔用語・記号〕など、コード8桁目）。Domain (digit 8).' },
  category: { title: '内容項目', description: '領域の中の項目 (1)(2)…（コード9桁目）。Category of content (digit 9).' },
  viewpoint: { title: '資質・能力の観点', description: 'ア 知識及び技能／イ 思考力，判断力，表現力等（コード10桁目）。Viewpoint: knowledge and skills, or thinking, judgement and expression (digit 10).' },
  content: { title: '学習内容', description: '(ア)(イ)… 身に付ける事項（コード11桁目）。Content item to be learned (digit 11).' },
  activity_group: { title: '活動のまとまり', description: '〔数学的活動〕などの (1)(2)…。Group of activities.' },
  activity: { title: '活動', description: '〔数学的活動〕などのア、イ…。Activity.' },
  term: { title: '用語・記号', description: '〔用語・記号〕に示す用語・記号（コード9–10桁目で番号）。Term or symbol (digits 9–10 together).' },
  handling_note: { title: '内容の取扱い', description: '各学年の内容の取扱い (1)(2)…。Note on handling the content of a grade.' },
  plan_item: { title: '指導計画の作成と内容の取扱いの事項', description: '第３の１、２、３。Item of the teaching plan section.' },
  plan_subitem: { title: '指導計画の作成と内容の取扱いの細目', description: '第３の (1)(2)…。Sub-item of the teaching plan section.' },
  // Added for 理科; after the 算数 levels so that their hierarchyCodes stay as published.
  grade_goal_item: { title: '学年の目標の細目', description: '各学年の目標 (1)(2) の①②③（理科、コード9桁目）。Item of a grade goal (digit 9).' },
  handling_subitem: { title: '内容の取扱いの細目', description: '内容の取扱い (n) のア、イ…（理科、コード9桁目）。Sub-item of a note on handling the content (digit 9).' },
};
const LEVEL_ORDER = Object.keys(LEVELS);

/** Digit 1 × digit 2: the Course of Study the code belongs to. Only the 2017–2019 revision (digit 1 = 8) is known. */
const SCHOOLS: Record<string, { name: string; firstGrade: number; grades: number; era: string; statusStartDate: string; source: string }> = {
  '82': { name: '小学校学習指導要領', firstGrade: 1, grades: 6, era: '平成29年告示', statusStartDate: '2020-04-01', source: 'https://www.mext.go.jp/a_menu/shotou/new-cs/1384661.htm' },
  '83': { name: '中学校学習指導要領', firstGrade: 7, grades: 3, era: '平成29年告示', statusStartDate: '2021-04-01', source: 'https://www.mext.go.jp/a_menu/shotou/new-cs/1384661.htm' },
  '84': { name: '高等学校学習指導要領', firstGrade: 10, grades: 3, era: '平成30年告示', statusStartDate: '2022-04-01', source: 'https://www.mext.go.jp/a_menu/shotou/new-cs/1384661.htm' },
};

/** Digit 6 letters for grade spans (MEXT): A = grades 1–2, C = 3–4, D = 5–6, L = 3–6. */
const GRADE_SPANS: Record<string, [number, number]> = { A: [1, 2], C: [3, 4], D: [5, 6], L: [3, 6] };

export const CODE_TABLE_URL = 'https://www.mext.go.jp/a_menu/other/data_00002.htm';
const CREATOR = '文部科学省';
const ATTRIBUTION =
  '出典：文部科学省「学習指導要領コード」（公共データ利用規約（第1.0版）準拠、CC BY 4.0 互換）および 学習指導要領LOD（https://w3id.org/jp-cos/、教育データプラス研究会）。' +
  'Shirube がこれらを加工して CASE 形式に変換した（列の再構成、項目の種類・isChildOf 関連・UUID の付与）。' +
  ' Source: MEXT Course of Study Codes (Public Data License 1.0, compatible with CC BY 4.0) and the Course of Study LOD' +
  ' (https://w3id.org/jp-cos/, 教育データプラス研究会); processed by Shirube into CASE (columns restructured; item types, isChildOf associations and UUIDs added).';

export interface CourseOfStudyOptions {
  /** Overrides the title derived from the code digits (required when the digits are not in the known table). */
  title?: string | undefined;
  /** The code table's version, e.g. "82V11" (小学校学習指導要領コード 平成29年告示 バージョン1.1). */
  version?: string | undefined;
  lastChangeDateTime?: Date | undefined;
}

/** The digit position (1-based) of the last character where a code differs from its parent's. */
const lastDifference = (code: string, parent: string) => {
  for (let i = 15; i >= 0; i--) if (code[i] !== parent[i]) return i + 1;
  return 0;
};

/** Grades (1-based within the school) the code applies to, from digit 6; all grades when digit 6 is 0. */
function gradesOf(code: string, school: (typeof SCHOOLS)[string] | undefined): string[] | undefined {
  if (!school) return undefined;
  const d = code[5]!;
  const span: [number, number] | undefined = d === '0' ? [1, school.grades] : /^[1-9]$/.test(d) ? [Number(d), Number(d)] : GRADE_SPANS[d];
  if (!span) return undefined;
  const out: string[] = [];
  for (let g = span[0]; g <= Math.min(span[1], school.grades); g++) out.push(String(school.firstGrade + g - 1).padStart(2, '0'));
  return out;
}

const link = (identifier: string, title: string): LinkURI => ({ title, identifier, uri: localUri(identifier) });

/** Parses the code table: a header row naming the columns, then one row per code. */
export function parseCodeTable(csv: string | Uint8Array): Row[] {
  let rows: Row[];
  try {
    rows = parse(typeof csv === 'string' ? csv : Buffer.from(csv), { columns: true, bom: true, skip_empty_lines: true, relax_column_count: false }) as Row[];
  } catch (e) {
    throw invalid('(body)', `not a CSV code table (${(e as Error).message})`);
  }
  if (!rows.length) throw invalid('(body)', 'the code table has no rows');
  const cols = Object.keys(rows[0]!);
  for (const c of ['code', 'parent_code']) if (!cols.includes(c)) throw invalid(c, `column "${c}" is required`);
  if (!cols.includes('text') && !cols.includes('full_text')) throw invalid('text', 'column "text" (or "full_text") is required');
  rows.forEach((r, i) => {
    if (!COURSE_OF_STUDY_CODE.test(r['code'] ?? '')) throw invalid(`rows[${i}].code`, `"${r['code']}" is not a 16-character Course of Study Code`);
    if (!COURSE_OF_STUDY_CODE.test(r['parent_code'] ?? '')) throw invalid(`rows[${i}].parent_code`, `"${r['parent_code']}" is not a 16-character Course of Study Code`);
    if (!(r['text'] ?? r['full_text'])?.trim()) throw invalid(`rows[${i}].text`, 'is empty');
  });
  return rows;
}

/**
 * Builds one CFPackage per subject (per root row: a row whose parent_code is not in the table). Pure and
 * deterministic apart from lastChangeDateTime: the same table gives the same identifiers.
 */
export function buildCourseOfStudyPackages(rows: Row[], opts: CourseOfStudyOptions = {}): CFPackage[] {
  const byCode = new Map<string, { row: Row; index: number }>();
  rows.forEach((row, index) => {
    if (byCode.has(row['code']!)) throw invalid(`rows[${index}].code`, `${row['code']} appears twice`);
    byCode.set(row['code']!, { row, index });
  });
  const order = (r: Row, index: number) => (r['order'] && /^\d+$/.test(r['order']) ? Number(r['order']) : index);
  const rootOf = new Map<string, string>();
  const findRoot = (code: string, index: number): string => {
    const seen = new Set<string>();
    let c = code;
    for (;;) {
      const known = rootOf.get(c);
      if (known) return known;
      const parent = byCode.get(c)!.row['parent_code']!;
      if (!byCode.has(parent)) return c;
      if (seen.has(parent)) throw invalid(`rows[${index}].parent_code`, `the parents of ${code} form a cycle`);
      seen.add(c);
      c = parent;
    }
  };
  for (const [code, { index }] of byCode) rootOf.set(code, findRoot(code, index));

  const lastChangeDateTime = (opts.lastChangeDateTime ?? new Date()).toISOString().replace(/\.\d{3}Z$/, '+00:00');
  const roots = [...new Set(rootOf.values())];
  if (opts.title !== undefined && roots.length > 1) throw invalid('title', 'a title can be given only when the table holds one subject');
  return roots.map((rootCode) => {
    const root = byCode.get(rootCode)!;
    if (root.row['level'] && root.row['level'] !== 'subject') {
      throw invalid(`rows[${root.index}].parent_code`, `${root.row['parent_code']} (the parent of ${rootCode}, a ${root.row['level']}) is not in the table`);
    }
    const members = [...byCode.values()].filter(({ row }) => rootOf.get(row['code']!) === rootCode);
    members.sort((a, b) => order(a.row, a.index) - order(b.row, b.index));
    const school = SCHOOLS[rootCode.slice(0, 2)];
    const subjectName = (root.row['text'] ?? root.row['full_text']!).replace(/^第.+?節[\s　]*/, '').trim();
    const title = opts.title ?? (school && rootCode[0] === '8' ? `${school.name}（${school.era}）${subjectName}` : undefined);
    if (!title) throw invalid('title', `the code ${rootCode} is not of a known Course of Study (digits 1–2); give a title`);

    const docId = cscaseId(`CFDocument:${rootCode}`);
    const docLink = link(docId, title);
    const licenseId = cscaseId('CFLicense:mext-course-of-study-code');
    const subjectId = cscaseId(`CFSubject:${rootCode.slice(0, 3)}`);
    const levelOf = (r: Row) => r['level'] || `digit${lastDifference(r['code']!, r['parent_code']!)}`;
    const levels = [...new Set(members.map(({ row }) => levelOf(row)))].sort((a, b) => rank(a) - rank(b));
    const itemTypes: CFDefinitionEntity[] = levels.map((level) => {
      const known = LEVELS[level];
      const digit = /^digit(\d+)$/.exec(level)?.[1];
      return {
        identifier: cscaseId(`CFItemType:${level}`),
        uri: localUri(cscaseId(`CFItemType:${level}`)),
        title: known?.title ?? (digit ? `コード${digit}桁目の階層` : level),
        description: known?.description ?? (digit ? `Level of code digit ${digit}.` : `Course of Study level "${level}".`),
        typeCode: level,
        hierarchyCode: String(rank(level) + 1).padStart(2, '0'),
        lastChangeDateTime,
      };
    });
    const typeOf = new Map(itemTypes.map((t) => [t.typeCode as string, t]));

    const items: CFItem[] = members.map(({ row }) => {
      const code = row['code']!;
      const type = typeOf.get(levelOf(row))!;
      const grades = gradesOf(code, school);
      const facts = Object.fromEntries(
        ([
          ['code', code], ['parentCode', row['parent_code']], ['level', levelOf(row)], ['grade', row['grade']], ['domain', row['domain']],
          ['domainId', row['domain_id']], ['category', row['category']], ['categoryCode', row['category_code']], ['viewpoint', row['viewpoint']],
          ['gradeBlock', row['grade_block']], ['sectionNumber', row['section_number']], ['fullText', row['full_text']],
          ['order', row['order'] ? Number(row['order']) : undefined], ['lodUri', lodUri(code)], ['lodParentCode', row['lod_parent_code']],
          ['lodCategory', row['lod_category']], ['lodSubcategory', row['lod_subcategory']], ['fcode', row['fcode']],
        ] as Array<[string, string | number | undefined]>).filter(([, v]) => v !== undefined && v !== ''),
      );
      const id = cscaseId(code);
      return {
        identifier: id,
        uri: localUri(id),
        fullStatement: row['text'] ?? row['full_text']!,
        humanCodingScheme: code,
        ...(row['section_number'] ? { listEnumeration: row['section_number'] } : {}),
        ...(row['level'] === 'category' && row['category'] ? { abbreviatedStatement: row['category'] } : {}),
        language: 'ja',
        ...(grades ? { educationLevel: grades } : {}),
        CFItemType: type.title,
        CFItemTypeURI: link(type.identifier, type.title),
        lastChangeDateTime,
        extensions: { courseOfStudy: facts },
      };
    });
    const itemByCode = new Map(items.map((i) => [i.humanCodingScheme!, i]));

    // Sibling rank by the table's order (項番), 1-based.
    const siblings = new Map<string, number>();
    const associations: CFAssociation[] = members.map(({ row }) => {
      const code = row['code']!;
      const parent = code === rootCode ? undefined : itemByCode.get(row['parent_code']!)!;
      const destination = parent ? link(parent.identifier, parent.humanCodingScheme!) : docLink;
      const seq = (siblings.get(destination.identifier) ?? 0) + 1;
      siblings.set(destination.identifier, seq);
      const id = cscaseId(`isChildOf:${code}`);
      return {
        identifier: id,
        uri: localUri(id),
        associationType: 'isChildOf',
        originNodeURI: link(cscaseId(code), code),
        destinationNodeURI: destination,
        sequenceNumber: seq,
        lastChangeDateTime,
      };
    });

    const document: CFDocument = {
      identifier: docId,
      uri: localUri(docId),
      creator: CREATOR,
      title,
      lastChangeDateTime,
      ...(school ? { officialSourceURL: school.source } : {}),
      publisher: CREATOR,
      description: `${title}の学習指導要領コード（${CODE_TABLE_URL}）に基づく CASE フレームワーク。`,
      subject: [subjectName],
      subjectURI: [link(subjectId, subjectName)],
      language: 'ja',
      ...(opts.version ? { version: opts.version } : {}),
      adoptionStatus: 'Implemented',
      ...(school ? { statusStartDate: school.statusStartDate } : {}),
      licenseURI: link(licenseId, '文部科学省ウェブサイト利用規約（公共データ利用規約 第1.0版）'),
      notes: ATTRIBUTION,
      extensions: { courseOfStudy: { rootCode, lodUri: lodUri(rootCode), codeTable: CODE_TABLE_URL } },
    };
    return {
      CFDocument: document,
      CFItems: items,
      CFAssociations: associations,
      CFDefinitions: {
        CFSubjects: [{
          identifier: subjectId, uri: localUri(subjectId), title: subjectName, hierarchyCode: rootCode.slice(0, 3),
          description: `学習指導要領コード ${rootCode.slice(0, 3)}（告示時期・学校種別・教科等）`, lastChangeDateTime,
        }],
        CFLicenses: [{
          identifier: licenseId, uri: localUri(licenseId), title: '文部科学省ウェブサイト利用規約（公共データ利用規約 第1.0版）',
          description: 'CC BY 4.0 互換。出典を記載し、加工した場合はその旨を記載すること。Compatible with CC BY 4.0: attribute the source and state that it was processed.',
          licenseText: ATTRIBUTION, lastChangeDateTime,
        }],
        CFItemTypes: itemTypes,
      },
    };
  });
}

function rank(level: string): number {
  const i = LEVEL_ORDER.indexOf(level);
  if (i >= 0) return i;
  const digit = /^digit(\d+)$/.exec(level)?.[1];
  return LEVEL_ORDER.length + (digit ? Number(digit) : 20);
}

export interface CourseOfStudyImportOptions extends CourseOfStudyOptions, Omit<SaveOptions, 'onProgress'> {}

/**
 * Imports a Course of Study Code table: one Course of Study framework per subject, all in one transaction.
 * Identifiers are UUID v5 of the codes, so importing again updates the same entities.
 */
export async function importCourseOfStudyCodes(db: Db, csv: string | Uint8Array, opts: CourseOfStudyImportOptions = {}, onProgress?: OnProgress): Promise<ImportResult[]> {
  const packages = buildCourseOfStudyPackages(parseCodeTable(csv), opts);
  const rows = packages.map((pkg) => packageToRows(pkg, { authored: true, isCourseOfStudy: true }));
  return saveImported(db, rows, { ...saveOptions(opts), onProgress });
}
