import { ApiError, apiClient } from '../../../lib/api-client.js';
import { api } from '../../../config/paths.js';
import type { Session, User } from './types.js';

/** The current session, or null when nobody is signed in (a 401, or `{ user: null }`). */
export async function getSession(): Promise<Session | null> {
  try {
    const s = await apiClient.get<{ user: User | null; csrfToken?: string }>(api.session);
    return s.user && s.csrfToken ? { user: s.user, csrfToken: s.csrfToken } : null;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}
