/**
 * The progress API's JSON, as docs/progress-api.md defines it: shared by the map, the learner view and the teacher
 * dashboard (each feature has its own fetchers; these are only the shapes).
 */
export type ProficiencyState = 'not_started' | 'in_progress' | 'mastered';

export interface Progress {
  state: ProficiencyState;
  label: string | null;
  probability: number;
  blocked: boolean;
  /** No answer on an item of a grade below the learner's (記録なし, not 未学習); the state stays not_started. */
  noRecord?: boolean;
  attempts: number;
  correct: number;
  correctRate?: number | null;
  lastAt?: string | null;
}

export interface ItemSummary {
  id: string;
  code: string | null;
  fullStatement: string;
  grade: string | null;
  domain: string | null;
  category: string | null;
}

export interface LearnerRef {
  id: string;
  displayName: string;
}

export type MapView = 'curriculum' | 'unit';
export type EdgeType = 'precedes' | 'isRelatedTo' | 'isChildOf';

export interface MapNode {
  id: string;
  code: string | null;
  fullStatement: string;
  grade: string | null;
  domain: string | null;
  domainCode?: string | null;
  category: string | null;
  viewpoint?: string | null;
  sectionNumber?: string | null;
  order: number;
  /** The category (curriculum view) or the unit (unit view). */
  group: string | null;
  unit?: string | null;
  progress: Progress | null;
  /** The class map: how many of the class's learners are in each state on this item. */
  classShare?: ClassShare;
}

/** How many of a class's learners are in each state (GET /api/progress/classes/{id}/map). */
export interface ClassShare {
  learners: number;
  mastered: number;
  inProgress: number;
  notStarted: number;
  /** Of notStarted: no record of an earlier grade than the class's. */
  noRecord: number;
}

export interface MapEdge {
  id: string;
  type: EdgeType;
  source: string;
  target: string;
}

export interface GroupSummary {
  total: number;
  mastered: number;
  inProgress: number;
  notStarted: number;
  /** Of notStarted: items of an earlier grade with no record. */
  noRecord?: number;
}

export interface MapGroup {
  id: string;
  kind: 'grade' | 'domain' | 'category' | 'unit';
  label: string;
  code?: string | null;
  parent: string | null;
  grade?: string | null;
  order: number;
  summary: GroupSummary;
  /** The class map: the learners' states summed over the group's items (learner × item pairs). */
  classShare?: ClassShare;
}

export interface UnitEdge {
  source: string;
  target: string;
  count: number;
}

export interface LabelThreshold {
  label: string;
  min: number;
}

export interface LearningMap {
  framework: { identifier: string; title: string };
  learner: LearnerRef | null;
  /** The learner's (or class's) grade: items of earlier grades without answers are "no record". */
  learnerGrade?: string | null;
  /** Set on a class map (GET /api/progress/classes/{id}/map): nodes carry classShare, not progress. */
  class?: ClassRef & { learners: number };
  asOf: string;
  view: MapView;
  labels: LabelThreshold[];
  labelBasis: 'correctRate' | 'probability';
  /** The school year's terms, MM-DD ranges from April on (SHIRUBE_SCHOOL_TERMS): a learner's map's date slider marks them. */
  schoolTerms?: SchoolTerm[];
  nodes: MapNode[];
  edges: MapEdge[];
  groups: MapGroup[];
  unitEdges: UnitEdge[];
  /** precedes/isRelatedTo whose other end is an item of another framework. */
  crossLinks: CrossLink[];
}

export interface CrossLink {
  id: string;
  type: 'precedes' | 'isRelatedTo';
  source: string;
  target: string;
  /** This map's item. */
  item: string;
  other: { id: string; code: string | null; fullStatement: string; framework: { identifier: string; title: string } };
}

export interface Evidence {
  statementId: string;
  timestamp: string;
  score: number | null;
  success: boolean | null;
  verb: string;
  activity: string;
  activityName?: string | null;
}

export interface TimelineDay {
  day: string;
  attempts: number;
  correct: number;
  totalAttempts: number;
  probability: number;
  state: ProficiencyState;
  label: string | null;
}

export interface TraceBackEntry {
  item: ItemSummary;
  hops: number;
  probability: number;
  correctRate: number | null;
  /** What the entry's label is judged on. */
  labelBasis: LabelBasis;
  state: ProficiencyState;
  label: string | null;
  score: number;
  /** From the prerequisite to the item. */
  path: string[];
}

/** The rubric criterion that grades an item: its levels from the highest down (docs/progress.md: Rubrics). */
export interface ItemRubric {
  rubric: { identifier: string; title: string | null };
  criterion: { identifier: string; description: string | null; category: string | null };
  levels: Array<{ identifier: string; quality: string; description: string | null; score: number | null; min: number }>;
  mastery: string;
  lastChangeDateTime: string;
}

export interface LearnerItemDetail {
  learner: LearnerRef;
  item: ItemSummary;
  progress: Progress;
  rubric: ItemRubric | null;
  evidence: Evidence[];
  evidenceTotal?: number;
  timeline: TimelineDay[];
  traceBack: TraceBackEntry[];
  pathEdges: Array<{ id: string; source: string; target: string }>;
  /** What the label is judged on, its thresholds (highest first) and the rule's window (the last `window` answers). */
  labelBasis: LabelBasis;
  labels: Array<{ label: string; min: number }>;
  window: number;
  /** Drills, videos… aligned to the item (docs/resources.md). */
  resources: ResourceLink[];
}

export type LabelBasis = 'correctRate' | 'probability';

/** A learning resource aligned to an item, as the item panel and the next steps link to it. */
export interface ResourceLink {
  id: string;
  title: string;
  url: string;
  type: 'drill' | 'video' | 'worksheet' | 'other';
  language: string;
  provider: string | null;
}

export interface NextSteps {
  items: Array<{ item: ItemSummary; progress: Progress; prerequisites: string[]; resources: ResourceLink[] }>;
}

export interface ProgressChanges {
  from: string;
  to: string;
  summary: { mastered: number; started: number; regressed: number };
  changes: Array<{ item: ItemSummary; before: Pick<Progress, 'state' | 'label' | 'probability'>; after: Pick<Progress, 'state' | 'label' | 'probability'> }>;
}

export interface ClassRef {
  id: string;
  title: string;
  schoolId: string;
  grades?: string[];
}

/** A heatmap column: the item, its short name ("4A(1)ア") and unit ("(1) 整数の表し方") for the head. */
export interface HeatmapItem extends ItemSummary {
  domainCode?: string | null;
  sectionNumber?: string | null;
  unit?: string | null;
  shortCode?: string;
}

export interface Heatmap {
  class: ClassRef;
  items: HeatmapItem[];
  learners: LearnerRef[];
  /** cells[learner][item] */
  cells: Array<Array<Omit<Progress, 'correctRate' | 'lastAt'>>>;
}

export interface StuckList {
  prerequisites: Array<{ item: ItemSummary; learners: Array<LearnerRef & { blockedItems: string[] }> }>;
}

export interface Me {
  user: { id: string; username: string; displayName?: string; locale?: string; roles?: Array<{ role: string; scopeType?: string; scopeId?: string }> };
  csrfToken: string;
  learnerId: string | null;
  classes: Array<{ id: string; title: string; schoolId: string; role: string; framework: string | null }>;
}

export interface SchoolTerm {
  from: string;
  to: string;
}
