import { apiClient } from '../../../lib/api-client.js';
import { useQuery } from '../../../lib/use-query.js';
import { api } from '../../../config/paths.js';
import type { LearningMap, MapView } from '../../../types/progress-api.js';

export interface MapQuery {
  framework: string;
  learner?: string | undefined;
  /** A class's map (the share of its learners in each state) instead of a learner's. */
  classId?: string | undefined;
  asOf?: string | undefined;
  view: MapView;
}

export const getLearningMap = ({ classId, ...q }: MapQuery) => apiClient.get<LearningMap>(classId ? api.classMap(classId, q) : api.progressMap(q));

/** Null framework: not yet known. */
export const useLearningMap = (q: MapQuery | null) =>
  useQuery(q && `progress-map:${q.framework}:${q.learner ?? ''}:${q.classId ? `class=${q.classId}` : ''}:${q.view}:${q.asOf ?? ''}`, () => getLearningMap(q!));
