import { apiClient } from '../../../lib/api-client.js';
import { useQuery } from '../../../lib/use-query.js';
import { api } from '../../../config/paths.js';
import type { Heatmap } from '../../../types/progress-api.js';

export interface HeatmapQuery {
  framework: string;
  grade?: string | undefined;
  domain?: string | undefined;
  asOf?: string | undefined;
}

export const useHeatmap = (classId: string, q: HeatmapQuery) =>
  useQuery(`heatmap:${classId}:${q.framework}:${q.grade ?? ''}:${q.domain ?? ''}:${q.asOf ?? ''}`, () => apiClient.get<Heatmap>(api.heatmap(classId, q)));
