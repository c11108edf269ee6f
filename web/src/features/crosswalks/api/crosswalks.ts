import { apiClient } from '../../../lib/api-client.js';
import { invalidateQueries, useQuery } from '../../../lib/use-query.js';
import { api } from '../../../config/paths.js';

/** The part of /api/crosswalks this page reads (the whole: src/http/api/crosswalks.ts, docs/crosswalks.md). */
interface End {
  identifier: string;
  title: string;
}
export interface CrosswalkSummary {
  identifier: string;
  title: string;
  source: End;
  target: End;
  adoptionStatus: string | null;
  canAuthor: boolean;
}
export interface MatchItem {
  identifier: string;
  code?: string;
  text: string;
  gradeLabel: string;
  path: string[];
}
interface Node {
  identifier: string;
  title: string;
}
export interface Link {
  identifier: string;
  associationType: 'exactMatchOf' | 'isRelatedTo';
  originNodeURI: Node;
  destinationNodeURI: Node;
}
export interface Crosswalk extends CrosswalkSummary {
  sourceItems: MatchItem[];
  targetItems: MatchItem[];
  links: Link[];
}
export interface Suggestion extends MatchItem {
  score: number;
}

export const useCrosswalks = (viewer: string) => useQuery(`crosswalks:${viewer}`, () => apiClient.get<{ crosswalks: CrosswalkSummary[] }>(api.crosswalks));
export const useCrosswalk = (viewer: string, id: string) => useQuery(`crosswalk:${viewer}:${id}`, () => apiClient.get<Crosswalk>(api.crosswalk(id)));
export const useSuggestions = (id: string, item: string | undefined) =>
  useQuery(item ? `crosswalk-suggestions:${id}:${item}` : null, () => apiClient.get<{ suggestions: Suggestion[] }>(api.crosswalkSuggestions(id, item!)));

export async function createCrosswalk(body: { source: string; target: string; title: string }): Promise<CrosswalkSummary> {
  const cw = await apiClient.post<CrosswalkSummary>(api.crosswalks, body);
  invalidateQueries('crosswalks:');
  invalidateQueries('frameworks:');
  return cw;
}

export async function addLink(id: string, body: { origin: string; destination: string; associationType: Link['associationType']; score?: number }): Promise<void> {
  await apiClient.post(api.crosswalkLinks(id), body);
  invalidateQueries(`crosswalk:`);
}

export async function retypeLink(id: string, associationId: string, associationType: Link['associationType']): Promise<void> {
  await apiClient.put(api.crosswalkLink(id, associationId), { associationType });
  invalidateQueries(`crosswalk:`);
}

export async function removeLink(id: string, associationId: string): Promise<void> {
  await apiClient.delete(api.crosswalkLink(id, associationId));
  invalidateQueries(`crosswalk:`);
}
