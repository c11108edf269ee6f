/** Every URL the UI links to or fetches, in one place (bulletproof-react's paths.ts). */
const enc = encodeURIComponent;

export const paths = {
  home: () => '/',
  signIn: (next?: string) => (next && next !== '/' ? `/sign-in?next=${enc(next)}` : '/sign-in'),
  framework: (id: string) => `/frameworks/${enc(id)}`,
  frameworkItem: (id: string, itemId: string) => `/frameworks/${enc(id)}/items/${enc(itemId)}`,
  /** The server's resolvable URI page for any CASE entity (HTML for people, JSON for machines). */
  uri: (id: string) => `/uri/${enc(id)}`,
  apiDocs: () => '/api/docs',
  relations: (q: { framework?: string | undefined; view?: string | undefined } = {}) => `/relations?${new URLSearchParams(Object.entries(q).flatMap(([k, v]): Array<[string, string]> => (v === undefined || v === '' ? [] : [[k, String(v)]])))}`.replace(/\?$/, ''),
} as const;

export const api = {
  session: '/api/auth/session',
  signIn: '/api/auth/sign-in',
  signOut: '/api/auth/sign-out',
  /** Frameworks the signed-in person may read, private drafts included. */
  frameworks: '/api/frameworks',
  cfDocuments: '/ims/case/v1p1/CFDocuments',
  cfPackage: (id: string) => `/ims/case/v1p1/CFPackages/${enc(id)}`,
  /** docs/relations.md */
  relationSuggestions: (fw: string, q: { status?: string; type?: string | undefined; domain?: string | undefined; sort?: string; limit?: number }) => `/api/relations/${enc(fw)}/suggestions?${new URLSearchParams(Object.entries(q).flatMap(([k, v]): Array<[string, string]> => (v === undefined || v === '' ? [] : [[k, String(v)]])))}`,
  relationDecisions: (fw: string) => `/api/relations/${enc(fw)}/decisions`,
  relationAdd: (fw: string) => `/api/relations/${enc(fw)}/relations`,
  relationRuns: (fw: string) => `/api/relations/${enc(fw)}/runs`,
  relationEvaluation: (fw: string) => `/api/relations/${enc(fw)}/evaluation`,
} as const;
