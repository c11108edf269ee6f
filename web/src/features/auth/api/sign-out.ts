import { apiClient } from '../../../lib/api-client.js';
import { api } from '../../../config/paths.js';

export const signOut = () => apiClient.post<unknown>(api.signOut);
