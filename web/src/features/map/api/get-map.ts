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
  /** The unit view by a textbook's units (a unit scheme, GET /api/progress/units) instead of the Course of Study's. */
  units?: string | undefined;
}

export const getLearningMap = ({ classId, ...q }: MapQuery) => apiClient.get<LearningMap>(classId ? api.classMap(classId, q) : api.progressMap(q));

/** Null framework: not yet known. */
export const useLearningMap = (q: MapQuery | null) =>
  useQuery(q && `progress-map:${q.framework}:${q.learner ?? ''}:${q.classId ? `class=${q.classId}` : ''}:${q.view}:${q.units ?? ''}:${q.asOf ?? ''}`, () => getLearningMap(q!));

/** A publisher's units (textbook 単元) imported for a framework (docs/progress-api.md: Publishers' units). */
export interface UnitScheme {
  identifier: string;
  title: string;
  units: number;
}

export const useUnitSchemes = (framework: string) => useQuery(`unit-schemes:${framework}`, () => apiClient.get<{ schemes: UnitScheme[] }>(api.unitSchemes(framework)));
