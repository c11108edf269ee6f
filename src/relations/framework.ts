import type { CFItem, CFPackage } from '../case/index.js';
import { ShirubeError } from '../errors.js';
import type { RelationFramework, RelationItem } from './model.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const linkId = (l: unknown) => (isObj(l) && typeof l['identifier'] === 'string' ? l['identifier'] : undefined);
const typeOf = (i: CFItem) => (typeof i.CFItemType === 'string' ? i.CFItemType : (i.CFItemTypeURI?.title ?? ''));
const firstLine = (s: string) => (s.split('\n')[0] ?? '').replace(/\[\d+\]/g, '').trim();
/** A label as a key that is equal across grades: "Number And Operations-Fractions*" = "Number and Operations—Fractions". */
const keyOf = (s: string) => firstLine(s).normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
const short = (s: string, n = 60) => {
  const l = firstLine(s);
  return l.length > n ? `${l.slice(0, n)}…` : l;
};

/** K = 0, grades 1–12 as numbers, HS (09–12 or "HS") = 9; PK = -1. */
export function gradeOf(levels: unknown): number | undefined {
  const first = Array.isArray(levels) ? levels[0] : typeof levels === 'string' ? levels : undefined;
  if (typeof first !== 'string') return undefined;
  const s = first.trim().toUpperCase();
  if (s === 'KG' || s === 'K') return 0;
  if (s === 'PK') return -1;
  if (s === 'HS') return 9;
  const n = Number.parseInt(s, 10);
  return Number.isFinite(n) ? n : undefined;
}

const DOMAIN_TYPE = /domain|conceptual category|strand|領域/i;
const GRADE_TYPE = /grade|学年/i;

/** The Course of Study facets an item carries (docs/cscase.md). */
const courseOfStudy = (i: CFItem): Obj | undefined => {
  const x = isObj(i.extensions) ? i.extensions['courseOfStudy'] : undefined;
  return isObj(x) ? x : undefined;
};

export interface FrameworkOptions {
  /** CFItemTypes to estimate between; default: the content items of a Course of Study, else the most common type among leaves. */
  itemTypes?: string[] | undefined;
}

/**
 * The items to relate and their place in the hierarchy (isChildOf), from any CASE package: Course of Study
 * frameworks through their courseOfStudy extensions, others through educationLevel and CFItemTypes.
 */
export function relationFramework(pkg: CFPackage, opts: FrameworkOptions = {}): RelationFramework {
  const items = new Map(pkg.CFItems.map((i) => [i.identifier, i]));
  const parent = new Map<string, string>();
  const children = new Map<string, number>();
  for (const a of pkg.CFAssociations) {
    if (a.associationType !== 'isChildOf') continue;
    const o = linkId(a.originNodeURI);
    const d = linkId(a.destinationNodeURI);
    if (!o || !d || !items.has(d) || parent.has(o)) continue;
    parent.set(o, d);
    children.set(d, (children.get(d) ?? 0) + 1);
  }
  const chain = (id: string): CFItem[] => {
    const out: CFItem[] = [];
    const seen = new Set([id]);
    for (let p = parent.get(id); p && !seen.has(p); p = parent.get(p)) {
      seen.add(p);
      out.unshift(items.get(p)!);
    }
    return out;
  };
  const isCourseOfStudy = pkg.CFItems.some((i) => courseOfStudy(i)?.['level'] === 'content');
  let selected: CFItem[];
  if (opts.itemTypes?.length) {
    const want = new Set(opts.itemTypes);
    selected = pkg.CFItems.filter((i) => want.has(typeOf(i)));
  } else if (isCourseOfStudy) {
    selected = pkg.CFItems.filter((i) => courseOfStudy(i)?.['level'] === 'content');
  } else {
    const leaves = pkg.CFItems.filter((i) => !children.has(i.identifier));
    const count = new Map<string, number>();
    for (const l of leaves) count.set(typeOf(l), (count.get(typeOf(l)) ?? 0) + 1);
    const top = [...count].sort((a, b) => b[1] - a[1])[0]?.[0];
    selected = top ? pkg.CFItems.filter((i) => typeOf(i) === top) : leaves;
  }
  if (!selected.length) throw new ShirubeError('invalid_request', `itemTypes: the framework ${pkg.CFDocument.identifier} has no items of the types to relate`, 'itemTypes');

  const order = new Map(pkg.CFItems.map((i, n) => [i.identifier, n]));
  // The statements under each selected item down to the next selected one (a category's content items).
  const isSelected = new Set(selected.map((i) => i.identifier));
  const under = new Map<string, string[]>();
  for (const i of pkg.CFItems) {
    if (isSelected.has(i.identifier)) continue;
    const seen = new Set([i.identifier]);
    for (let p = parent.get(i.identifier); p && !seen.has(p); p = parent.get(p)) {
      seen.add(p);
      if (!isSelected.has(p)) continue;
      const list = under.get(p);
      if (list) list.push(i.fullStatement);
      else under.set(p, [i.fullStatement]);
      break;
    }
  }
  const related = selected.map((item): RelationItem => {
    const up = chain(item.identifier);
    const cs = courseOfStudy(item);
    const path = up.map((a) => (a.humanCodingScheme && !cs ? `${a.humanCodingScheme} ${short(a.fullStatement, 40)}` : short(a.fullStatement, 40)));
    const below = under.get(item.identifier)?.join('\n');
    const base = {
      identifier: item.identifier, code: item.humanCodingScheme, text: item.fullStatement, ...(below ? { below } : {}), order: order.get(item.identifier)!, path,
      ancestors: new Set(up.map((a) => a.identifier)),
    };
    if (cs) {
      const grade = typeof cs['grade'] === 'string' ? Number.parseInt(cs['grade'], 10) : undefined;
      const vp = String(cs['viewpoint'] ?? '');
      return {
        ...base,
        grade,
        gradeLabel: grade === undefined ? '' : `第${grade}学年`,
        domain: String(cs['domainId'] ?? cs['domain'] ?? ''),
        domainLabel: String(cs['domain'] ?? ''),
        category: keyOf(String(cs['category'] ?? cs['categoryCode'] ?? '')),
        categoryLabel: String(cs['category'] ?? ''),
        viewpoint: vp.startsWith('知識') ? 'knowledge' : vp.startsWith('思考') ? 'thinking' : undefined,
      };
    }
    const withLevel = [item, ...[...up].reverse()].find((x) => gradeOf(x.educationLevel) !== undefined);
    const grade = withLevel && gradeOf(withLevel.educationLevel);
    const chainDown = chain(item.identifier);
    const gradeIdx = chainDown.findIndex((a) => GRADE_TYPE.test(typeOf(a)));
    const domainItem = chainDown.find((a) => DOMAIN_TYPE.test(typeOf(a))) ?? chainDown[gradeIdx + 1] ?? chainDown[0];
    const parentItem = chainDown[chainDown.length - 1];
    return {
      ...base,
      grade,
      gradeLabel: grade === undefined ? '' : grade === 0 ? 'K' : grade === 9 ? 'HS' : `Grade ${grade}`,
      domain: domainItem ? keyOf(domainItem.fullStatement) : '',
      domainLabel: domainItem ? short(domainItem.fullStatement) : '',
      category: parentItem?.identifier ?? '',
      categoryLabel: parentItem ? short(String(parentItem.abbreviatedStatement ?? parentItem.fullStatement)) : '',
      viewpoint: undefined,
    };
  });
  const language = isCourseOfStudy || /^ja/i.test(String(pkg.CFDocument['language'] ?? '')) ? 'ja' : 'en';
  return { identifier: pkg.CFDocument.identifier, title: pkg.CFDocument.title, language, items: related };
}
