import type { CFAssociation, LinkURI } from './case-types.js';

/** CASE 1.1 association types, in the order the item panel lists them. */
const TYPE_ORDER = ['isChildOf', 'precedes', 'isPartOf', 'isPeerOf', 'exactMatchOf', 'isRelatedTo', 'replacedBy', 'exemplar', 'hasSkillLevel', 'isTranslationOf'];

export interface AssociationGroup {
  associationType: string;
  /** False: the item is the origin ("A precedes B" seen from A); true: the item is the destination. */
  inverse: boolean;
  entries: Array<{ association: CFAssociation; other: LinkURI }>;
}

const rank = (g: Pick<AssociationGroup, 'associationType' | 'inverse'>) => {
  const i = TYPE_ORDER.indexOf(g.associationType);
  return (i < 0 ? TYPE_ORDER.length : i) * 2 + (g.inverse ? 1 : 0);
};

/** The associations touching one item, grouped by type and direction; each entry names the other end. */
export function groupAssociations(associations: readonly CFAssociation[], itemId: string): AssociationGroup[] {
  const groups = new Map<string, AssociationGroup>();
  for (const a of associations) {
    const origin = a.originNodeURI?.identifier;
    const destination = a.destinationNodeURI?.identifier;
    for (const [inverse, other] of [[false, origin === itemId ? a.destinationNodeURI : undefined], [true, destination === itemId ? a.originNodeURI : undefined]] as const) {
      if (!other) continue;
      const id = `${a.associationType}\u0000${inverse}`;
      const g = groups.get(id) ?? { associationType: a.associationType, inverse, entries: [] };
      g.entries.push({ association: a, other });
      groups.set(id, g);
    }
  }
  const seq = (a: CFAssociation) => (a.sequenceNumber === undefined || a.sequenceNumber === '' ? Infinity : Number(a.sequenceNumber));
  for (const g of groups.values()) g.entries.sort((x, y) => seq(x.association) - seq(y.association));
  return [...groups.values()].sort((x, y) => rank(x) - rank(y) || x.associationType.localeCompare(y.associationType));
}
