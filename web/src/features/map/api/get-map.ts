import { apiClient } from '../../../lib/api-client.js';
import { useQuery } from '../../../lib/use-query.js';
import { api } from '../../../config/paths.js';
import type { LearningMap, MapView } from '../../../types/progress-api.js';

export interface MapQuery {
  framework: string;
  learner?: string | undefined;
  asOf?: string | undefined;
  view: MapView;
}

export const getLearningMap = (q: MapQuery) => apiClient.get<LearningMap>(api.progressMap(q));

/** Null framework: not yet known. */
export const useLearningMap = (q: MapQuery | null) => useQuery(q && `progress-map:${q.framework}:${q.learner ?? ''}:${q.view}:${q.asOf ?? ''}`, () => getLearningMap(q!));
