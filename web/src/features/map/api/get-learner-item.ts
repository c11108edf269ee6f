import { apiClient } from '../../../lib/api-client.js';
import { useQuery } from '../../../lib/use-query.js';
import { api } from '../../../config/paths.js';
import type { LearnerItemDetail } from '../../../types/progress-api.js';

export const getLearnerItem = (learner: string, item: string, q: { framework: string; asOf?: string | undefined }) =>
  apiClient.get<LearnerItemDetail>(api.learnerItem(learner, item, q));

/** An item's statement, evidence and trace-back for one learner; null arguments: nothing to load. */
export const useLearnerItem = (learner: string | null, item: string | null, q: { framework: string; asOf?: string | undefined }) =>
  useQuery(learner && item ? `learner-item:${learner}:${item}:${q.framework}:${q.asOf ?? ''}` : null, () => getLearnerItem(learner!, item!, q));
