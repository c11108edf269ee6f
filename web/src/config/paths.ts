/** Every URL the UI links to or fetches, in one place (bulletproof-react's paths.ts). */
const enc = encodeURIComponent;
/** `path?k=v…` with the defined values only. */
const withQuery = (path: string, q: Record<string, string | number | undefined | null>) => {
  const search = new URLSearchParams(Object.entries(q).filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== null && e[1] !== '').map(([k, v]) => [k, String(v)]));
  return search.size ? `${path}?${search}` : path;
};

export const paths = {
  home: () => '/',
  signIn: (next?: string) => (next && next !== '/' ? `/sign-in?next=${enc(next)}` : '/sign-in'),
  framework: (id: string) => `/frameworks/${enc(id)}`,
  frameworkItem: (id: string, itemId: string) => `/frameworks/${enc(id)}/items/${enc(itemId)}`,
  /** Authoring (docs/authoring.md): the frameworks one may author and a new one; one framework's editor. */
  authoring: () => '/authoring',
  authoringFramework: (id: string) => `/authoring/${enc(id)}`,
  /** The server's resolvable URI page for any CASE entity (HTML for people, JSON for machines). */
  uri: (id: string) => `/uri/${enc(id)}`,
  apiDocs: () => '/api/docs',
  /** Search across frameworks; its filters in the URL so that a search can be linked. */
  search: (q: { q?: string | undefined; status?: string | undefined; subject?: string | undefined; grade?: string | undefined; framework?: string | undefined } = {}) => withQuery('/search', q),
  relations: (q: { framework?: string | undefined; view?: string | undefined } = {}) => `/relations?${new URLSearchParams(Object.entries(q).flatMap(([k, v]): Array<[string, string]> => (v === undefined || v === '' ? [] : [[k, String(v)]])))}`.replace(/\?$/, ''),
  /** The learning map: a learner's own (no parameters), or any framework / learner / item a teacher may see. */
  map: (q: { framework?: string; learner?: string; item?: string; class?: string } = {}) => withQuery('/map', q),
  dashboard: (q: { class?: string; framework?: string } = {}) => withQuery('/dashboard', q),
  /** Crosswalks between two frameworks: the list, and one's two-pane editor (docs/crosswalks.md). */
  crosswalks: () => '/crosswalks',
  crosswalk: (id: string, item?: string) => withQuery(`/crosswalks/${enc(id)}`, { item }),
  /** The signed-in learner's badges (docs/badges.md). */
  passport: () => '/passport',
  /** Achievements of a framework: list, search, edit (authors, admins); issuers' keys (admins). */
  achievements: (q: { framework?: string | undefined } = {}) => withQuery('/badges/achievements', q),
  /** Suppliers: ask for an API client, collect its secret, the alignment check; requests and usage for admins (docs/suppliers.md). */
  suppliers: () => '/suppliers',
  /** The server's public verification page of a credential issued here. */
  verifyCredential: (uuid: string) => `/badges/credentials/${enc(uuid)}`,
} as const;

export const api = {
  session: '/api/auth/session',
  signIn: '/api/auth/sign-in',
  signOut: '/api/auth/sign-out',
  /** Frameworks the signed-in person may read, private drafts included. */
  frameworks: '/api/frameworks',
  cfDocuments: '/ims/case/v1p1/CFDocuments',
  /** docs/authoring.md */
  authoringDocument: (id: string) => `/api/frameworks/${enc(id)}/document`,
  authoringTree: (id: string) => `/api/frameworks/${enc(id)}/tree`,
  authoringItems: (id: string) => `/api/frameworks/${enc(id)}/items`,
  authoringItem: (id: string, itemId: string, q: { withChildren?: string } = {}) => withQuery(`/api/frameworks/${enc(id)}/items/${enc(itemId)}`, q),
  authoringPlacement: (id: string, itemId: string) => `/api/frameworks/${enc(id)}/items/${enc(itemId)}/placement`,
  authoringAssociations: (id: string) => `/api/frameworks/${enc(id)}/associations`,
  authoringAssociation: (id: string, aid: string) => `/api/frameworks/${enc(id)}/associations/${enc(aid)}`,
  authoringRubric: (id: string, rubricId: string) => `/api/frameworks/${enc(id)}/rubrics/${enc(rubricId)}`,
  authoringDefinitions: (id: string, list: string) => `/api/frameworks/${enc(id)}/definitions/${enc(list)}`,
  adoptionStatus: (id: string) => `/api/frameworks/${enc(id)}/adoption-status`,
  history: (id: string, q: { limit?: number } = {}) => withQuery(`/api/frameworks/${enc(id)}/history`, q),
  /** docs/search.md */
  search: (q: { q?: string | undefined; status?: string | undefined; subject?: string | undefined; grade?: string | undefined; framework?: string | undefined; cursor?: string | undefined; limit?: number }) => withQuery('/api/search', q),
  searchFilters: '/api/search/filters',
  cfPackage: (id: string) => `/ims/case/v1p1/CFPackages/${enc(id)}`,
  /** docs/progress-api.md */
  me: '/api/me',
  progressMap: (q: { framework: string; learner?: string; asOf?: string; view?: string; units?: string }) => withQuery('/api/progress/map', q),
  learnerItem: (learner: string, item: string, q: { framework?: string; asOf?: string }) => withQuery(`/api/progress/learners/${enc(learner)}/items/${enc(item)}`, q),
  nextSteps: (learner: string, q: { framework: string; asOf?: string; limit?: number }) => withQuery(`/api/progress/learners/${enc(learner)}/next-steps`, q),
  changes: (learner: string, q: { framework: string; from: string; to?: string }) => withQuery(`/api/progress/learners/${enc(learner)}/changes`, q),
  unitSchemes: (framework: string) => withQuery('/api/progress/units', { framework }),
  classMap: (classId: string, q: { framework: string; asOf?: string; view?: string; units?: string }) => withQuery(`/api/progress/classes/${enc(classId)}/map`, q),
  heatmap: (classId: string, q: { framework: string; grade?: string; domain?: string; asOf?: string }) => withQuery(`/api/progress/classes/${enc(classId)}/heatmap`, q),
  heatmapCsv: (classId: string, q: { framework: string; grade?: string; domain?: string; asOf?: string }) => withQuery(`/api/progress/classes/${enc(classId)}/heatmap.csv`, q),
  stuck: (classId: string, q: { framework: string; asOf?: string; min?: number }) => withQuery(`/api/progress/classes/${enc(classId)}/stuck`, q),
  /** docs/suppliers.md */
  clientRequests: '/api/client-requests',
  clientRequestStatus: '/api/client-requests/status',
  clientRequestClaim: '/api/client-requests/claim',
  adminClientRequests: '/api/admin/client-requests',
  adminClientRequest: (id: string, action: 'approve' | 'reject') => `/api/admin/client-requests/${enc(id)}/${action}`,
  adminClientUsage: (days: number) => withQuery('/api/admin/clients/usage', { days }),
  alignmentCheck: (q: { column?: string }) => withQuery('/api/alignment/check', q),
  /** docs/resources.md */
  resources: (q: { item?: string; limit?: number }) => withQuery('/api/resources', q),
  resourceCreate: '/api/resources',
  /** docs/relations.md */
  relationSuggestions: (fw: string, q: { status?: string; type?: string | undefined; domain?: string | undefined; sort?: string; limit?: number }) => `/api/relations/${enc(fw)}/suggestions?${new URLSearchParams(Object.entries(q).flatMap(([k, v]): Array<[string, string]> => (v === undefined || v === '' ? [] : [[k, String(v)]])))}`,
  relationDecisions: (fw: string) => `/api/relations/${enc(fw)}/decisions`,
  relationAdd: (fw: string) => `/api/relations/${enc(fw)}/relations`,
  relationRuns: (fw: string) => `/api/relations/${enc(fw)}/runs`,
  relationRun: (fw: string, id: string) => `/api/relations/${enc(fw)}/runs/${enc(id)}`,
  relationRunCancel: (fw: string, id: string) => `/api/relations/${enc(fw)}/runs/${enc(id)}/cancel`,
  relationProviders: '/api/relations/providers',
  relationEvaluation: (fw: string) => `/api/relations/${enc(fw)}/evaluation`,
  /** docs/crosswalks.md */
  crosswalks: '/api/crosswalks',
  crosswalk: (id: string) => `/api/crosswalks/${enc(id)}`,
  crosswalkSuggestions: (id: string, item: string) => withQuery(`/api/crosswalks/${enc(id)}/suggestions`, { item, limit: 10 }),
  crosswalkLinks: (id: string) => `/api/crosswalks/${enc(id)}/associations`,
  crosswalkLink: (id: string, associationId: string) => `/api/crosswalks/${enc(id)}/associations/${enc(associationId)}`,
  frameworkExport: (id: string, format: 'case-json-1.1' | 'csv') => withQuery(`/api/frameworks/${enc(id)}/export`, { format }),
  /** docs/badges.md */
  badgeCandidates: (q: { classId?: string; learner?: string; status?: string }) => withQuery('/api/badges/candidates', q),
  badgeAchievements: (framework: string) => withQuery('/api/badges/achievements', { framework }),
  badgeApprove: '/api/badges/candidates/approve',
  badgeAchievement: (id: string) => `/api/badges/achievements/${enc(id)}`,
  badgeAchievementDefaults: '/api/badges/achievements/defaults',
  badgeAchievementCreate: '/api/badges/achievements',
  badgeGroupChoices: (framework: string) => withQuery('/api/badges/achievements/group-choices', { framework }),
  badgeRevoke: (uuid: string) => `/api/badges/credentials/${enc(uuid)}/revoke`,
  badgeIssuers: '/api/badges/issuers',
  badgeIssuerRotate: (id: string) => `/api/badges/issuers/${enc(id)}/rotate`,
  badgeDismiss: '/api/badges/candidates/dismiss',
  badgeUndo: '/api/badges/candidates/undo',
  badgeCriteria: (framework: string) => withQuery('/api/badges/criteria', { framework }),
  badgeCriteriaSet: '/api/badges/criteria',
  badgePassport: '/api/badges/passport',
  badgePassportClr: '/api/badges/passport/clr',
  /** The signed-in learner's connected apps (Open Badges API clients they allowed), and one to disconnect. */
  connectedApps: '/api/badges/connected-apps',
  connectedApp: (clientId: string) => `/api/badges/connected-apps/${enc(clientId)}`,
  /** Open Badges API clients (administrators), and disabling one. */
  obClients: '/api/admin/ob-clients',
  obClientDisable: (id: string) => `/api/admin/ob-clients/${enc(id)}/disable`,
  badgeDownload: (uuid: string, format: 'json' | 'jwt' | 'png' | 'svg' | 'png-jwt' | 'svg-jwt' | 'ob2' | 'ob2-png') => withQuery(`/api/badges/credentials/${enc(uuid)}/download`, { format }),
} as const;
