import type { Db } from '../store/db.js';
import { getDocument, loadPackage, itemDocuments } from '../store/case.js';
import { associationsAmong, associationsToOtherFrameworks, associationsVersion } from '../store/progress.js';
import { ShirubeError } from '../errors.js';
import { PrecedesGraph, type PrecedesEdge } from './graph.js';

/** A content item of the learning map (docs/progress-api.md: nodes). */
export interface MapItem {
  id: string;
  code: string;
  fullStatement: string;
  grade: string | null;
  domain: string | null;
  domainCode: string | null;
  category: string | null;
  viewpoint: string | null;
  sectionNumber: string | null;
  order: number;
  /** The curriculum group (category) and the unit. */
  group: string | null;
  unit: string | null;
}

export interface MapGroup {
  id: string;
  kind: string;
  label: string;
  code: string | null;
  parent: string | null;
  grade: string | null;
  order: number;
}

export interface MapEdge {
  id: string;
  type: string;
  source: string;
  target: string;
}

export interface FrameworkStructure {
  identifier: string;
  title: string;
  items: MapItem[];
  byId: Map<string, MapItem>;
  groups: MapGroup[];
  units: MapGroup[];
  /** precedes and isRelatedTo among the items (any document). */
  edges: MapEdge[];
  /** isChildOf: item → group, group → parent group. */
  childEdges: MapEdge[];
  graph: PrecedesGraph;
  unitEdges: Array<{ source: string; target: string; count: number }>;
  /** precedes and isRelatedTo whose other end is an item of another framework. */
  crossLinks: Awaited<ReturnType<typeof associationsToOtherFrameworks>>;
}

type Obj = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const cos = (payload: Obj): Obj => {
  const ext = payload['extensions'];
  const c = ext && typeof ext === 'object' ? (ext as Obj)['courseOfStudy'] : undefined;
  return c && typeof c === 'object' ? (c as Obj) : {};
};
const GROUP_LEVELS = new Set(['grade', 'domain', 'category']);
const toHalfWidth = (s: string) => s.replace(/[Ａ-Ｚ０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));

async function build(db: Db, identifier: string): Promise<FrameworkStructure> {
  const pkg = await loadPackage(db, identifier);
  if (!pkg) throw new ShirubeError('not_found', `No framework ${identifier}`, 'framework');
  const parentOf = new Map<string, { parent: string; assoc: string }>();
  const hasChild = new Set<string>();
  for (const a of pkg.associations) {
    if (a.associationType !== 'isChildOf') continue;
    if (!parentOf.has(a.originIdentifier)) parentOf.set(a.originIdentifier, { parent: a.destinationIdentifier, assoc: a.identifier });
    hasChild.add(a.destinationIdentifier);
  }
  const rows = new Map(pkg.items.map((i) => [i.identifier, i]));
  const levelOf = (id: string) => str(cos(rows.get(id)?.payload ?? {})['level']);
  const hasLevels = pkg.items.some((i) => levelOf(i.identifier) === 'content');
  // Without levels every leaf is a node, also an item outside the hierarchy (Smarter Balanced has 15).
  const isNode = (id: string) => (hasLevels ? levelOf(id) === 'content' : !hasChild.has(id));
  // Without Course of Study levels, every ancestor below the top is a group.
  const isGroup = (id: string) => (hasLevels ? GROUP_LEVELS.has(levelOf(id) ?? '') : rows.has(id) && parentOf.has(id) && rows.has(parentOf.get(id)!.parent));
  const groupAbove = (id: string): string | null => {
    for (let p = parentOf.get(id)?.parent; p; p = parentOf.get(p)?.parent) if (isGroup(p)) return p;
    return null;
  };
  const gradeOf = (payload: Obj): string | null => {
    const g = str(cos(payload)['grade']);
    if (g) return g;
    const el = payload['educationLevel'];
    return Array.isArray(el) && typeof el[0] === 'string' ? String(Number(el[0])) : null;
  };
  const orderOf = (payload: Obj, i: number) => (typeof cos(payload)['order'] === 'number' ? (cos(payload)['order'] as number) : i);

  const groups: MapGroup[] = [];
  const units: MapGroup[] = [];
  const childEdges: MapEdge[] = [];
  const seenGroups = new Set<string>();
  const addGroup = (id: string) => {
    if (seenGroups.has(id)) return;
    seenGroups.add(id);
    const row = rows.get(id)!;
    const c = cos(row.payload);
    const level = levelOf(id) ?? 'group';
    const parent = groupAbove(id);
    const label =
      level === 'category' ? `(${String(str(c['sectionNumber']) ?? '').replace(/[()（）]/g, '')}) ${str(c['category']) ?? ''}`.trim()
      : level === 'domain' ? (str(c['domain']) ?? String(row.payload['fullStatement']))
      : String(row.payload['abbreviatedStatement'] ?? row.payload['fullStatement']).replace(/^〔(.*)〕$/, '$1');
    groups.push({ id, kind: level, label, code: row.humanCodingScheme, parent, grade: gradeOf(row.payload), order: orderOf(row.payload, groups.length) });
    if (parent) {
      childEdges.push({ id: parentOf.get(id)!.assoc, type: 'isChildOf', source: id, target: parent });
      addGroup(parent);
    }
  };

  const items: MapItem[] = [];
  pkg.items.forEach((row, i) => {
    if (!isNode(row.identifier)) return;
    const c = cos(row.payload);
    const group = groupAbove(row.identifier);
    if (group) {
      addGroup(group);
      childEdges.push({ id: parentOf.get(row.identifier)!.assoc, type: 'isChildOf', source: row.identifier, target: group });
    }
    const domain = str(c['domain']);
    const m = domain ? /^\s*([Ａ-ＺA-Z])\s*(.*)$/.exec(domain) : null;
    items.push({
      id: row.identifier,
      code: row.humanCodingScheme ?? row.identifier,
      fullStatement: String(row.payload['fullStatement'] ?? ''),
      grade: gradeOf(row.payload),
      domain: m ? m[2]! : domain,
      domainCode: m ? toHalfWidth(m[1]!) : null,
      category: str(c['category']),
      viewpoint: str(c['viewpoint']),
      sectionNumber: str(c['sectionNumber']),
      order: orderOf(row.payload, i),
      group,
      unit: group,
    });
  });
  const gradeNum = (g: string | null) => (g === null ? 99 : Number(g) || 99);
  items.sort((a, b) => gradeNum(a.grade) - gradeNum(b.grade) || a.order - b.order);
  groups.sort((a, b) => a.order - b.order);
  const byId = new Map(items.map((i) => [i.id, i]));

  // Units: by default the categories (the unit level of the Course of Study Code), labelled with their grade.
  const gradeLabel = (g: string | null) => (g ? `第${String.fromCharCode(...[...g].map((d) => d.charCodeAt(0) + 0xfee0))}学年 ` : '');
  for (const g of groups) if (g.kind === 'category' || !hasLevels) if (items.some((i) => i.group === g.id)) units.push({ ...g, kind: 'unit', parent: null, label: `${gradeLabel(g.grade)}${g.label}` });

  const edges = (await associationsAmong(db, [...byId.keys()], ['precedes', 'isRelatedTo'])).filter((e) => e.source !== e.target);
  const precedes: PrecedesEdge[] = edges.filter((e) => e.type === 'precedes');
  const unitCounts = new Map<string, number>();
  for (const e of precedes) {
    const a = byId.get(e.source)!.unit;
    const b = byId.get(e.target)!.unit;
    if (a && b && a !== b) unitCounts.set(`${a} ${b}`, (unitCounts.get(`${a} ${b}`) ?? 0) + 1);
  }
  return {
    identifier,
    title: pkg.document.title,
    items,
    byId,
    groups,
    units,
    edges,
    childEdges,
    graph: new PrecedesGraph(precedes),
    crossLinks: await associationsToOtherFrameworks(db, [...byId.keys()], identifier, ['precedes', 'isRelatedTo']),
    unitEdges: [...unitCounts].map(([k, count]) => ({ source: k.split(' ')[0]!, target: k.split(' ')[1]!, count })),
  };
}

// Per database (tests open many), per framework.
const caches = new WeakMap<Db, Map<string, { key: string; structure: Promise<FrameworkStructure> }>>();

/** The learning-map structure of a framework, cached until the framework or any association changes. */
export async function frameworkStructure(db: Db, identifier: string): Promise<FrameworkStructure> {
  const doc = await getDocument(db, identifier);
  if (!doc) throw new ShirubeError('not_found', `No framework ${identifier}`, 'framework');
  const key = `${doc.lastChange.toISOString()}|${await associationsVersion(db)}`;
  const cache = caches.get(db) ?? caches.set(db, new Map()).get(db)!;
  const hit = cache.get(identifier);
  if (hit && hit.key === key) return hit.structure;
  const structure = build(db, identifier);
  cache.set(identifier, { key, structure });
  structure.catch(() => cache.delete(identifier));
  return structure;
}

/** The framework an item belongs to (its own first). */
export async function frameworkOfItem(db: Db, itemId: string): Promise<string> {
  const docs = await itemDocuments(db, itemId);
  if (!docs.length) throw new ShirubeError('not_found', `No CFItem ${itemId}`, 'itemId');
  return docs[0]!.identifier;
}
