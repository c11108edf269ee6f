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
  /** Issued ones: whether their credential was revoked since (null otherwise). */
  revoked: boolean | null;
}
/** The machine rule (docs/badges.md): Mastered, or a correct rate over enough recent answers. */
export type AchievementRule = { kind: 'mastered' } | { kind: 'correctRate'; minCorrectRate: number; minAnswers: number; days: number } | { kind: 'rubricLevel'; level: string };
export interface Achievement {
  id: string;
  framework: string;
  itemIds: string[];
  name: string;
  description: string;
  image: string | null;
  criteriaNarrative: string;
  rule: AchievementRule;
  humanCode: string | null;
  enabled: boolean;
  /** A group made from a textbook unit: which (null for one item or an explicit list). */
  unit: { document: string; id: string } | null;
  /** Credentials issued for it are valid this many days; null: no expiry. */
  validForDays: number | null;
}
/** What a group achievement can be made of (GET /api/badges/achievements/group-choices). */
export interface GroupChoices {
  items: Array<{ id: string; code: string; fullStatement: string; grade: string | null }>;
  units: Array<{ document: string; documentTitle: string; id: string; code: string | null; label: string; itemIds: string[] }>;
}
export interface GroupAchievementInput {
  framework: string;
  itemIds?: string[];
  unit?: { document: string; id: string };
  name: string;
  rule: AchievementRule;
  validForDays: number | null;
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
  /** When it stops being valid (null: never), and whether that has passed. */
  validUntil: string | null;
  expired: boolean;
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
type CandidateStatus = Candidate['status'];
const getCandidates = (q: { classId?: string; learner?: string; status: CandidateStatus }) => apiClient.get<{ candidates: Candidate[] }>(api.badgeCandidates(q));
export const useCandidates = (classId: string, status: CandidateStatus = 'pending') => useQuery(`${CANDIDATES}${classId}:${status}`, () => getCandidates({ classId, status }));
/** One learner's candidates (the learning map); null: not a teacher's view of a learner. */
export const useLearnerCandidates = (learner: string | null, status: CandidateStatus) =>
  useQuery(learner && `${CANDIDATES}learner:${learner}:${status}`, () => getCandidates({ learner: learner!, status }));
const ACHIEVEMENTS = 'badge-achievements:';
export const useAchievements = (framework: string) =>
  useQuery(`${ACHIEVEMENTS}${framework}`, () => apiClient.get<{ canEdit: boolean; achievements: Achievement[] }>(api.badgeAchievements(framework)));
/** Null: nobody signed in yet. */
export const usePassport = (userId: string | null) => useQuery(userId && `badge-passport:${userId}`, () => apiClient.get<{ learnerId: string; ob2Recipient?: string; credentials: PassportCredential[] }>(api.badgePassport));

/** Decisions change the candidate lists (and a learner's passport): both refetch. */
const refresh = () => (invalidateQueries(CANDIDATES), invalidateQueries('badge-passport:'));
/** The routes take the keys only (their schemas refuse other properties). */
const keys = (cs: CandidateKey[]) => cs.map(({ achievementId, learnerId }) => ({ achievementId, learnerId }));
export const approveCandidates = async (candidates: CandidateKey[]) => {
  const r = await apiClient.post<{ credentials: unknown[] }>(api.badgeApprove, { candidates: keys(candidates) });
  refresh();
  return r.credentials.length;
};
/** Undoes approvals made in the last minutes: the credentials are revoked, the candidates pending again. */
export const undoApprovals = async (candidates: CandidateKey[]) => {
  const r = await apiClient.post<{ undone: number }>(api.badgeUndo, { candidates: keys(candidates) });
  refresh();
  return r.undone;
};
/** What a framework's candidates need beyond each rule: evidence on at least minDays days (docs/badges.md). */
export interface BadgeCriteria {
  framework: string;
  minDays: number;
  chosen: boolean;
}
const CRITERIA = 'badge-criteria:';
export const useBadgeCriteria = (framework: string) => useQuery(`${CRITERIA}${framework}`, () => apiClient.get<BadgeCriteria>(api.badgeCriteria(framework)));
export const setBadgeCriteria = async (framework: string, minDays: number) => {
  const r = await apiClient.put<BadgeCriteria & { withdrawn: number; proposed: number }>(api.badgeCriteriaSet, { framework, minDays });
  invalidateQueries(CRITERIA);
  refresh();
  return r;
};
export const dismissCandidates = async (candidates: CandidateKey[], reason: string) => {
  const r = await apiClient.post<{ dismissed: number }>(api.badgeDismiss, { candidates: keys(candidates), reason });
  refresh();
  return r.dismissed;
};
/** Revocation sets the credential's status list bit; the reason is audited and shown on the passport. */
export const revokeCredential = async (uuid: string, reason: string) => {
  await apiClient.post<undefined>(api.badgeRevoke(uuid), { reason });
  refresh();
};

export type AchievementEdit = Partial<Pick<Achievement, 'name' | 'description' | 'criteriaNarrative' | 'rule' | 'enabled' | 'validForDays'>>;
export const editAchievement = async (id: string, edit: AchievementEdit) => {
  const a = await apiClient.patch<Achievement>(api.badgeAchievement(id), edit);
  invalidateQueries(ACHIEVEMENTS);
  return a;
};
/** Null: the caller cannot create achievements (the list is the authors'). */
export const useGroupChoices = (framework: string | null) => useQuery(framework && `badge-group-choices:${framework}`, () => apiClient.get<GroupChoices>(api.badgeGroupChoices(framework!)));
export const createGroupAchievement = async (input: GroupAchievementInput) => {
  const a = await apiClient.post<Achievement>(api.badgeAchievementCreate, input);
  invalidateQueries(ACHIEVEMENTS);
  invalidateQueries(CANDIDATES);
  return a;
};
/** Only while nothing was issued for it (409 otherwise: disable it instead). */
export const deleteAchievement = async (id: string) => {
  await apiClient.delete<undefined>(api.badgeAchievement(id));
  invalidateQueries(ACHIEVEMENTS);
  invalidateQueries(CANDIDATES);
};
export const createDefaultAchievements = async (framework: string) => {
  const r = await apiClient.post<{ created: number }>(api.badgeAchievementDefaults, { framework });
  invalidateQueries(ACHIEVEMENTS);
  return r.created;
};

export interface Issuer {
  id: string;
  organizationId: string | null;
  name: string;
  url: string | null;
  didMethod: 'web' | 'key';
  did: string;
}
/** Null: not an administrator (the list is theirs only). */
export const useIssuers = (admin: boolean) => useQuery(admin ? 'badge-issuers' : null, () => apiClient.get<{ issuers: Issuer[] }>(api.badgeIssuers));
/** A new signing key; with `didMethod`, also a switch between did:web and did:key. */
export const rotateIssuerKey = async (id: string, didMethod?: Issuer['didMethod']) => {
  const issuer = await apiClient.post<Issuer>(api.badgeIssuerRotate(id), didMethod ? { didMethod } : {});
  invalidateQueries('badge-issuers');
  return issuer;
};

/** An app (wallet, platform) the learner allowed to reach their badges through the Open Badges API. */
export interface ConnectedApp {
  clientId: string;
  clientName: string;
  clientUri: string | null;
  logoUri: string | null;
  scopes: string[];
  firstGrantedAt: string;
  lastUsedAt: string | null;
  tokensActive: boolean;
}
const CONNECTED_APPS = 'connected-apps:';
/** Null: nobody signed in yet. */
export const useConnectedApps = (userId: string | null) => useQuery(userId && `${CONNECTED_APPS}${userId}`, () => apiClient.get<{ apps: ConnectedApp[] }>(api.connectedApps));
/** Withdraws the learner's consent: the app's tokens stop working at once. */
export const disconnectApp = async (clientId: string) => {
  await apiClient.delete<undefined>(api.connectedApp(clientId));
  invalidateQueries(CONNECTED_APPS);
};

/** A registered Open Badges API client as administrators see it (no secret, no learners: only how many). */
export interface ObClient {
  clientId: string;
  clientName: string;
  clientUri: string | null;
  redirectUris: string[];
  scopes: string[];
  createdAt: string;
  disabledAt: string | null;
  learners: number;
}
/** Null: not an administrator. */
export const useObClients = (admin: boolean) => useQuery(admin ? 'ob-clients' : null, () => apiClient.get<{ clients: ObClient[] }>(api.obClients));
export const disableObClient = async (id: string) => {
  const c = await apiClient.post<ObClient>(api.obClientDisable(id));
  invalidateQueries('ob-clients');
  return c;
};

/** `urn:uuid:…` → the uuid the download and verify URLs take. */
export const credentialUuid = (id: string) => id.replace(/^urn:uuid:/i, '');
