/** An item with a pending badge candidate for the learner, or with a badge issued to them (docs/learning-map.md). */
export type BadgeMark = 'candidate' | 'issued';
/** What the learning map draws of a learner's badges: the marks by item id, and the kinds its legend explains. */
export interface MapBadges {
  marks: ReadonlyMap<string, BadgeMark>;
  kinds: readonly BadgeMark[];
}
