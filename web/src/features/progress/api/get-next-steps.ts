import { apiClient } from '../../../lib/api-client.js';
import { useQuery } from '../../../lib/use-query.js';
import { api } from '../../../config/paths.js';
import type { NextSteps } from '../../../types/progress-api.js';

export const useNextSteps = (learner: string, framework: string, asOf: string | undefined) =>
  useQuery(`next-steps:${learner}:${framework}:${asOf ?? ''}`, () => apiClient.get<NextSteps>(api.nextSteps(learner, { framework, ...(asOf ? { asOf } : {}) })));
