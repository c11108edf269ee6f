import { apiClient } from '../../../lib/api-client.js';
import { useQuery } from '../../../lib/use-query.js';
import { api } from '../../../config/paths.js';
import type { CFAssociation, CFDocument, CFItem } from '../../frameworks/lib/case-types.js';

/** GET /api/frameworks/{id}/tree (docs/authoring.md): the isChildOf hierarchy, each node with its ETag. */
export interface TreeNode {
  identifier: string;
  fullStatement: string;
  humanCodingScheme?: string | null;
  CFItemType?: string | null;
  etag: string;
  association: { identifier: string; sequenceNumber: number; etag: string };
  children: TreeNode[];
}
export interface Tree {
  etag: string;
  children: TreeNode[];
  unplaced: Array<{ identifier: string; fullStatement: string }>;
}
export interface Change {
  id: number;
  at: string;
  actor: string | null;
  action: string;
  entityType: string;
  entityIdentifier: string;
}

/** A definition as the package lists it (CFDefinitions.CFItemTypes…). */
export interface Definition {
  identifier: string;
  title: string;
  hierarchyCode?: string;
}
export type DefinitionList = 'CFItemTypes' | 'CFConcepts' | 'CFSubjects' | 'CFLicenses' | 'CFAssociationGroupings';
export type Definitions = Partial<Record<DefinitionList, Definition[]>>;

/** A CFRubric (docs/progress-api.md: Rubrics): criteria naming CFItems, levels with a quality and a score. */
export interface RubricLevel {
  quality: string;
  score: number;
  description?: string;
}
export interface Rubric {
  identifier: string;
  title?: string;
  CFRubricCriteria?: Array<{ CFItemURI?: { identifier: string }; description?: string; CFRubricCriterionLevels?: RubricLevel[] }>;
}

/** Editors always read the current state: keys carry a revision the page bumps after each write. */
export const useTree = (fid: string, rev: number) => useQuery(`authoring-tree:${fid}:${rev}`, () => apiClient.get<Tree>(api.authoringTree(fid)));
export const useDocument = (fid: string, rev: number) => useQuery(`authoring-doc:${fid}:${rev}`, () => apiClient.getTagged<CFDocument>(api.authoringDocument(fid)));
export const useItem = (fid: string, itemId: string, rev: number) => useQuery(`authoring-item:${fid}:${itemId}:${rev}`, () => apiClient.getTagged<CFItem>(api.authoringItem(fid, itemId)));
export const useHistory = (fid: string, rev: number) => useQuery(`authoring-history:${fid}:${rev}`, () => apiClient.get<{ total: number; changes: Change[] }>(api.history(fid, { limit: 20 })));

/** The package's definitions and associations (the CASE API's CFPackage: the authoring API has no list endpoints). */
export const usePackageLists = (fid: string, rev: number) =>
  useQuery(`authoring-pkg:${fid}:${rev}`, async () => {
    const p = await apiClient.get<{ CFDefinitions?: Definitions; CFAssociations?: CFAssociation[]; CFRubrics?: Rubric[] }>(api.cfPackage(fid));
    return { definitions: p.CFDefinitions ?? {}, associations: p.CFAssociations ?? [], rubrics: p.CFRubrics ?? [] };
  });
export const createDefinition = (fid: string, list: DefinitionList, body: Record<string, string>) => apiClient.write<Definition>('POST', api.authoringDefinitions(fid, list), body);

export const createFramework = (doc: { title: string; creator: string; language?: string }) => apiClient.write<CFDocument>('POST', api.frameworks, doc);
export const addItem = (fid: string, fullStatement: string, parent: string, sequenceNumber?: number) =>
  apiClient.write<CFItem>('POST', api.authoringItems(fid), { CFItem: { fullStatement }, parent, ...(sequenceNumber ? { sequenceNumber } : {}) });
export const moveItem = (fid: string, node: TreeNode, parent: string, sequenceNumber: number) =>
  apiClient.write<CFItem>('PUT', api.authoringPlacement(fid, node.identifier), { parent, sequenceNumber }, node.etag);
export const deleteItem = (fid: string, node: TreeNode) =>
  apiClient.write<unknown>('DELETE', api.authoringItem(fid, node.identifier, node.children.length ? { withChildren: 'true' } : {}), undefined, node.etag);
export const patchItem = (fid: string, itemId: string, patch: Record<string, unknown>, etag: string | undefined) =>
  apiClient.write<CFItem>('PATCH', api.authoringItem(fid, itemId), patch, etag);
export const setAdoptionStatus = (fid: string, adoptionStatus: string, newVersion: boolean, etag: string | undefined) =>
  apiClient.write<{ adoptionStatus: string; version?: number }>('PUT', api.adoptionStatus(fid), { adoptionStatus, ...(newVersion ? { newVersion } : {}) }, etag);
export const addAssociation = (fid: string, associationType: string, origin: string, destination: string) =>
  apiClient.write<CFAssociation>('POST', api.authoringAssociations(fid), { associationType, originNodeURI: { identifier: origin }, destinationNodeURI: { identifier: destination } });
/** DELETE needs the association's current ETag: read it first. */
export const deleteAssociation = async (fid: string, aid: string) => {
  const { etag } = await apiClient.getTagged<CFAssociation>(api.authoringAssociation(fid, aid));
  await apiClient.write<unknown>('DELETE', api.authoringAssociation(fid, aid), undefined, etag);
};
/** A new CFRubric of one criterion grading `itemId` (creating needs no If-Match; replacing would). */
export const createRubric = (fid: string, itemId: string, title: string, description: string, levels: RubricLevel[], masteryLevel: string) =>
  apiClient.write<Rubric>('PUT', api.authoringRubric(fid, crypto.randomUUID()), {
    title,
    CFRubricCriteria: [{ CFItemURI: { identifier: itemId }, description, extensions: { masteryLevel }, CFRubricCriterionLevels: levels }],
  });
