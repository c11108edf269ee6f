import { apiClient } from '../../../lib/api-client.js';
import { invalidateQueries, useQuery } from '../../../lib/use-query.js';
import { api } from '../../../config/paths.js';

/** docs/badges.md: the shapes the badge routes answer with. */
export interface Candidate {
  achievementId: string;
  learnerId: string;
  learnerName: string | null;
  achievement: { name: string | null; humanCode: string | null; itemIds: string[] };
  status: 'pending' | 'dismissed' | 'issued';
  metAt: string;
  summary: { items?: number; answers?: number; correct?: number; from?: string; to?: string; [k: string]: unknown } | null;
  reason: string | null;
  credentialId: string | null;
}
export interface Achievement {
  id: string;
  name: string;
  description: string;
  humanCode: string | null;
}
export interface Alignment {
  targetName?: string;
  targetCode?: string;
  targetUrl?: string;
}
export interface PassportCredential {
  id: string;
  achievementId: string;
  issuedAt: string;
  revoked: boolean;
  revokedReason: string | null;
  credential: {
    name?: string;
    validFrom?: string;
    validUntil?: string;
    issuer?: { name?: string } | string;
    credentialSubject?: { achievement?: { name?: string; humanCode?: string; alignment?: Alignment[] } };
  };
}
export type CandidateKey = Pick<Candidate, 'achievementId' | 'learnerId'>;

const CANDIDATES = 'badge-candidates:';
export const useCandidates = (classId: string) => useQuery(`${CANDIDATES}${classId}`, () => apiClient.get<{ candidates: Candidate[] }>(api.badgeCandidates({ classId })));
export const useAchievements = (framework: string) =>
  useQuery(`badge-achievements:${framework}`, () => apiClient.get<{ achievements: Achievement[] }>(api.badgeAchievements(framework)));
export const usePassport = (userId: string) => useQuery(`badge-passport:${userId}`, () => apiClient.get<{ learnerId: string; credentials: PassportCredential[] }>(api.badgePassport));

/** Decisions change the candidate lists (and a learner's passport): both refetch. */
const refresh = () => (invalidateQueries(CANDIDATES), invalidateQueries('badge-passport:'));
/** The routes take the keys only (their schemas refuse other properties). */
const keys = (cs: CandidateKey[]) => cs.map(({ achievementId, learnerId }) => ({ achievementId, learnerId }));
export const approveCandidates = async (candidates: CandidateKey[]) => {
  const r = await apiClient.post<{ credentials: unknown[] }>(api.badgeApprove, { candidates: keys(candidates) });
  refresh();
  return r.credentials.length;
};
export const dismissCandidates = async (candidates: CandidateKey[], reason: string) => {
  const r = await apiClient.post<{ dismissed: number }>(api.badgeDismiss, { candidates: keys(candidates), reason });
  refresh();
  return r.dismissed;
};
/** `urn:uuid:…` → the uuid the download and verify URLs take. */
export const credentialUuid = (id: string) => id.replace(/^urn:uuid:/i, '');
