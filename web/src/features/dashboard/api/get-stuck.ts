import { apiClient } from '../../../lib/api-client.js';
import { useQuery } from '../../../lib/use-query.js';
import { api } from '../../../config/paths.js';
import type { StuckList } from '../../../types/progress-api.js';

export const useStuck = (classId: string, framework: string, asOf: string | undefined) =>
  useQuery(`stuck:${classId}:${framework}:${asOf ?? ''}`, () => apiClient.get<StuckList>(api.stuck(classId, { framework, ...(asOf ? { asOf } : {}) })));
