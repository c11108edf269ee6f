/** The contract of /api/auth (src/http/api/auth.ts). */
export interface User {
  id: string;
  username: string;
  displayName?: string;
  roles?: Array<{ role: string; scopeType?: string; scopeId?: string }>;
}

export interface Session {
  user: User;
  csrfToken: string;
}
