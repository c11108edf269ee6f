import { apiClient } from '../../../lib/api-client.js';
import { useQuery } from '../../../lib/use-query.js';
import { api } from '../../../config/paths.js';
import type { Me } from '../../../types/progress-api.js';

/** Who is signed in, their learner id and classes; null when nobody is (the query runs only with a session). */
export const useMe = (signedIn: boolean) => useQuery(signedIn ? 'me' : null, () => apiClient.get<Me>(api.me));
