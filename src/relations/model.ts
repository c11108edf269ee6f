/** The two relations Shirube estimates, in CASE's words. precedes is directed; isRelatedTo is not. */
export const relationTypes = ['precedes', 'isRelatedTo'] as const;
export type RelationType = (typeof relationTypes)[number];

/** Resources-and-competencies view of a CFItem, as the estimators see it. */
export interface RelationItem {
  identifier: string;
  /** humanCodingScheme (a Course of Study Code, a CCSS code...). */
  code: string | undefined;
  text: string;
  /**
   * The statements under the item that are not estimation items themselves, in document order: what a Course of
   * Study category (内容項目) contains. Empty for leaves and when the descendants are estimated too.
   */
  below?: string | undefined;
  /** Ordinal grade (K = 0, HS = 9); undefined when the framework has none. */
  grade: number | undefined;
  gradeLabel: string;
  /** Key of the item's domain (the same key across grades: 数と計算 in grades 1–6). */
  domain: string;
  domainLabel: string;
  /** Key of the item's category (the (1)-level 内容項目, a CCSS cluster...), and its label. */
  category: string;
  categoryLabel: string;
  /** Course of Study viewpoint: 知識及び技能 (knowledge) or 思考力，判断力，表現力等 (thinking). */
  viewpoint: 'knowledge' | 'thinking' | undefined;
  /** Position in the framework (document order). */
  order: number;
  /** Ancestors' labels from the top: the item's place in the hierarchy. */
  path: string[];
  /** Ancestor identifiers (pairs on one branch are hierarchy, not relations). */
  ancestors: ReadonlySet<string>;
  /** In a cross-subject run (combineFrameworks): the item's own framework and its subject (算数, 理科...). */
  framework?: string | undefined;
  subject?: string | undefined;
}

/** The part of a framework the estimators work on. */
export interface RelationFramework {
  identifier: string;
  title: string;
  /** `ja` for Course of Study frameworks (prompts in Japanese), else `en`. */
  language: 'ja' | 'en';
  items: RelationItem[];
}

/** One proposed relation. isRelatedTo proposals name their pair in either order. */
export interface Proposal {
  origin: string;
  destination: string;
  type: RelationType;
  confidence: number;
  rationale?: string | undefined;
}

/** A relation as a key: directed for precedes, unordered for isRelatedTo. */
export function relationKey(type: RelationType, origin: string, destination: string): string {
  if (type === 'isRelatedTo' && destination < origin) return `${type}:${destination}:${origin}`;
  return `${type}:${origin}:${destination}`;
}
