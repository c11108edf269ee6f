import { apiClient } from '../../../lib/api-client.js';
import { useQuery } from '../../../lib/use-query.js';
import { api } from '../../../config/paths.js';
import type { ProgressChanges } from '../../../types/progress-api.js';

export const useChanges = (learner: string, framework: string, from: string, to: string | undefined) =>
  useQuery(`changes:${learner}:${framework}:${from}:${to ?? ''}`, () => apiClient.get<ProgressChanges>(api.changes(learner, { framework, from, ...(to ? { to } : {}) })));
