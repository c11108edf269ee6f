import { ApiError, apiClient } from '../../../lib/api-client.js';
import { useQuery } from '../../../lib/use-query.js';
import { api } from '../../../config/paths.js';
import type { CFDocument } from '../lib/case-types.js';

/** The public list (CASE API), plus, for a signed-in person, what /api/frameworks adds (private drafts). */
export async function getFrameworks(includePrivate: boolean): Promise<CFDocument[]> {
  const pub = await apiClient.get<{ CFDocuments?: CFDocument[] }>(`${api.cfDocuments}?limit=1000`);
  const byId = new Map((pub.CFDocuments ?? []).map((d) => [d.identifier, d]));
  if (includePrivate) {
    try {
      const { frameworks } = await apiClient.get<{ frameworks: CFDocument[] }>(api.frameworks);
      for (const d of frameworks) if (!byId.has(d.identifier)) byId.set(d.identifier, d);
    } catch (e) {
      // A session that just ended, or a person without the right, still gets the public list.
      if (!(e instanceof ApiError) || ![401, 403, 404].includes(e.status)) throw e;
    }
  }
  return [...byId.values()].sort((a, b) => a.title.localeCompare(b.title, 'ja'));
}

/** `viewer` (a user id, or '' for nobody) keys the cache: the list depends on who asks. */
export const useFrameworks = (viewer: string) => useQuery(`frameworks:${viewer}`, () => getFrameworks(viewer !== ''));
