import { apiClient } from '../../../lib/api-client.js';
import { invalidateQueries, useQuery } from '../../../lib/use-query.js';
import { api } from '../../../config/paths.js';
import type { ResourceLink } from '../../../types/progress-api.js';

/** GET /api/resources (docs/resources.md): a resource with the CFItems it is aligned to. */
export interface Resource extends ResourceLink {
  items: Array<{ id: string; code: string | null }>;
}

export interface NewResource {
  title: string;
  url: string;
  type: ResourceLink['type'];
  language: string;
  provider?: string | undefined;
  items: string[];
}

const KEY = 'resources:';

export const useItemResources = (itemId: string) => useQuery(`${KEY}${itemId}`, () => apiClient.get<{ total: number; resources: Resource[] }>(api.resources({ item: itemId })));

/** Registers a resource; the item's list and the learner's views (next steps) are read again. */
export async function registerResource(r: NewResource): Promise<Resource> {
  const created = await apiClient.post<Resource>(api.resourceCreate, r);
  invalidateQueries(KEY);
  invalidateQueries('next-steps');
  return created;
}
