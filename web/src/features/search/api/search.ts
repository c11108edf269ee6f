import { apiClient } from '../../../lib/api-client.js';
import { useQuery } from '../../../lib/use-query.js';
import { api } from '../../../config/paths.js';

/** GET /api/search's query, and the part of its answer this page reads (the whole: src/case/search.ts, docs/search.md). */
export interface SearchParams {
  q?: string | undefined;
  status?: string | undefined;
  subject?: string | undefined;
  grade?: string | undefined;
  framework?: string | undefined;
}
export interface SearchHit {
  identifier: string;
  uri: string;
  match: 'code' | 'code-prefix' | 'text';
  humanCodingScheme: string | null;
  abbreviatedStatement: string | null;
  fullStatement: string;
  educationLevel: string[];
  framework: { identifier: string; title: string; adoptionStatus: string | null };
}
export interface SearchPage {
  total: number;
  items: SearchHit[];
  nextCursor: string | null;
}
export interface SearchFilters {
  frameworks: Array<{ identifier: string; title: string }>;
  statuses: string[];
  subjects: string[];
  grades: string[];
}

/** One page of results; `viewer` keys the cache (what may be seen depends on who asks). */
export const useSearchPage = (viewer: string, params: SearchParams, cursor: string | undefined) => {
  const url = api.search({ ...params, cursor, limit: 20 });
  return useQuery(`search:${viewer}:${url}`, () => apiClient.get<SearchPage>(url));
};

export const useSearchFilters = (viewer: string) => useQuery(`search-filters:${viewer}`, () => apiClient.get<SearchFilters>(api.searchFilters));
