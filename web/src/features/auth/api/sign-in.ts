import { apiClient } from '../../../lib/api-client.js';
import { api } from '../../../config/paths.js';
import type { Session } from './types.js';

export interface SignInInput {
  username: string;
  password: string;
}

export const signIn = (input: SignInInput) => apiClient.post<Session>(api.signIn, input);
