import { apiClient } from '../../../lib/api-client.js';
import { invalidateQueries, useQuery } from '../../../lib/use-query.js';
import { api } from '../../../config/paths.js';

/** Scopes a supplier may ask for (the server's requestableScopes: every scope but case:admin). */
export const REQUESTABLE_SCOPES = [
  'case:read', 'case:write', 'xapi:statements/write', 'xapi:statements/read', 'xapi:statements/read/mine', 'xapi:state', 'xapi:profile', 'xapi:all',
  'caliper:write', 'competency:read', 'resources:write',
] as const;

export interface ClientRequestInput {
  organization: string;
  contactEmail: string;
  purpose: string;
  scopes: string[];
}

/** POST /api/client-requests → the claim token, shown once. */
export const submitClientRequest = (r: ClientRequestInput) => apiClient.post<{ id: string; status: 'pending'; claimToken: string }>(api.clientRequests, r);

export interface ClaimStatus {
  id: string;
  organization: string;
  status: 'pending' | 'approved' | 'rejected' | 'claimed' | 'expired';
  requestedScopes: string[];
  grantedScopes: string[] | null;
  clientId: string | null;
  note: string | null;
  claimUntil: string | null;
  clientSecret?: string;
}

export const clientRequestStatus = (token: string) => apiClient.post<ClaimStatus>(api.clientRequestStatus, { token });
export const claimClientSecret = (token: string) => apiClient.post<ClaimStatus & { clientSecret: string }>(api.clientRequestClaim, { token });

export interface ClientRequest {
  id: string;
  organization: string;
  contactEmail: string;
  purpose: string;
  requestedScopes: string[];
  status: 'pending' | 'approved' | 'rejected';
  createdAt: string;
  decidedAt: string | null;
  decisionNote: string | null;
  grantedScopes: string[] | null;
  clientId: string | null;
  claimedAt: string | null;
}

const KEY = 'client-requests';
export const useClientRequests = () => useQuery(KEY, () => apiClient.get<ClientRequest[]>(api.adminClientRequests));

export async function decideClientRequest(id: string, action: 'approve' | 'reject', body: { scopes?: string[]; note?: string }): Promise<ClientRequest> {
  const r = await apiClient.post<ClientRequest>(api.adminClientRequest(id, action), body);
  invalidateQueries(KEY);
  invalidateQueries('client-usage');
  return r;
}

/** GET /api/admin/clients/usage: what the page reads of it (the contract is src/auth/usage.ts). */
export interface ClientUsage {
  clientId: string;
  name: string | null;
  requests: number;
  errors: number;
  days: Array<{ day: string; requests: number }>;
}
export const useClientUsage = (days: number) => useQuery(`client-usage:${days}`, () => apiClient.get<ClientUsage[]>(api.adminClientUsage(days)));

export type AlignmentStatus = 'official' | 'current' | 'replaced' | 'deprecated' | 'unknown';
export const ALIGNMENT_STATUSES: AlignmentStatus[] = ['official', 'current', 'replaced', 'deprecated', 'unknown'];

export interface AlignmentResult {
  line: number;
  reference: string;
  status: AlignmentStatus;
  item: { identifier: string; humanCodingScheme: string | null; uri: string; framework: { identifier: string; title: string; adoptionStatus: string | null } } | null;
  replacement: { identifier: string; humanCodingScheme: string | null; uri: string; title: string | null } | null;
  reason: string;
}

export interface AlignmentReport {
  total: number;
  counts: Record<AlignmentStatus, number>;
  results: AlignmentResult[];
}

/** POST /api/alignment/check with the file as it is (CSV or one reference a line). */
export const checkAlignment = (text: string, column?: string) =>
  apiClient.postText<AlignmentReport>(api.alignmentCheck({ column: column || undefined }), text, 'text/csv');

/** The same check's report as CSV (the server writes it), for download. */
export const alignmentCsv = (text: string, column?: string) =>
  apiClient.postText<string>(api.alignmentCheck({ column: column || undefined }), text, 'text/csv', 'text/csv');
