import { resolve } from 'node:path';
import { Ajv } from 'ajv';

/** Every setting Shirube reads from the environment; docs/config.md documents each. */
export interface Config {
  readonly port: number;
  readonly host: string;
  /** Base of every URI Shirube mints, without a trailing slash. */
  readonly publicUrl: string;
  /** PostgreSQL connection string; undefined means the embedded PGlite database in dataDir. */
  readonly databaseUrl: string | undefined;
  /** A streaming replica of DATABASE_URL for the learning map and dashboards (docs/scaling.md). */
  readonly databaseReadUrl: string | undefined;
  /** How far behind the replica may be before those reads go to the primary. */
  readonly databaseReadMaxLagSeconds: number;
  readonly dataDir: string;
  readonly logLevel: string;
  /** `pretty`: readable lines for a person at a terminal (default outside production); `json`: one JSON object a line. */
  readonly logFormat: 'pretty' | 'json';
  /** Log every request (method, route, status, time): default on with JSON logs, off with pretty ones. */
  readonly requestLog: boolean;
  /** Bearer token a Prometheus scraper sends to GET /metrics; unset: /metrics answers loopback callers only. */
  readonly metricsToken: string | undefined;
  /** Load the shipped frameworks (算数 and 理科 2017) into an empty database at start. */
  readonly loadDemo: boolean;
  /**
   * Seed the demo class (school, teacher, 35 learners, a year of drill statements): 'yes' with SHIRUBE_DEMO=1,
   * 'first-start' (only into an empty database) when SHIRUBE_DEMO is unset on the embedded database, else 'no'.
   */
  readonly seedDemo: 'yes' | 'first-start' | 'no';
  /** Largest request body accepted, in bytes. */
  readonly bodyLimit: number;
  /** Statement batches written at once by this server (others wait their turn): SHIRUBE_LRS_WRITERS. */
  readonly lrsWriters: number;
  /** Trust X-Forwarded-* headers from a reverse proxy. */
  readonly trustProxy: boolean;
  /** Add CFDocumentURI / CFPackageURI inside packages (some consumers expect them; the strict schema forbids them). */
  readonly caseUriExtras: boolean;
  /** Password of the bootstrap admin account; generated and written to dataDir when unset. */
  readonly adminPassword: string | undefined;
  /** Failed sign-ins allowed per username, and per client IP, in 15 minutes before a 429. */
  readonly signInMaxFailures: number;
  readonly signInMaxFailuresPerIp: number;
  /** IANA time zone in which learning evidence is counted per calendar day. */
  readonly timeZone: string;
  /** The school year's terms as month-day ranges (MM-DD), from April on: the map's date slider marks them. */
  readonly schoolTerms: ReadonlyArray<{ readonly from: string; readonly to: string }>;
  /** Encrypts the Open Badges issuers' signing keys at rest; unset: a generated key file in dataDir. */
  readonly secretKey: string | undefined;
  /** Verification fetches other hosts' DID documents, keys, status lists and OB 2.0 documents (never JSON-LD contexts). */
  readonly verifyFetch: boolean;
  /** `host[:port]` that verification may fetch from although private or loopback, and over plain HTTP (dev, tests). */
  readonly verifyAllowHosts: readonly string[];
  /** Keys and endpoints of the LLM providers for relation estimation (docs/relations.md); never logged or returned. */
  readonly llm: LlmSettings;
}

/** Unset means "not configured". JSON.stringify (and so pino) shows which are set, never the keys. */
export interface LlmSettings {
  readonly openaiApiKey: string | undefined;
  readonly openaiBaseUrl: string | undefined;
  readonly anthropicApiKey: string | undefined;
  readonly anthropicBaseUrl: string | undefined;
  readonly googleApiKey: string | undefined;
  readonly googleBaseUrl: string | undefined;
  /** An OpenAI-compatible server (Ollama, vLLM, llama.cpp): its /v1 base URL, and a key if it wants one. */
  readonly compatibleBaseUrl: string | undefined;
  readonly compatibleApiKey: string | undefined;
  /** How long one request to a provider may take before it is abandoned (and retried once, then its block skipped). */
  readonly requestTimeoutMs: number;
}

const schema = {
  type: 'object',
  properties: {
    PORT: { type: 'string', pattern: '^[0-9]{1,5}$' },
    HOST: { type: 'string', minLength: 1 },
    SHIRUBE_PUBLIC_URL: { type: 'string', pattern: '^https?://[^\\s]+$' },
    DATABASE_URL: { type: 'string', pattern: '^postgres(ql)?://' },
    DATABASE_READ_URL: { type: 'string', pattern: '^postgres(ql)?://' },
    DATABASE_READ_MAX_LAG_SECONDS: { type: 'string', pattern: '^[0-9]{1,4}(\\.[0-9]+)?$' },
    SHIRUBE_DATA_DIR: { type: 'string', minLength: 1 },
    SHIRUBE_LOG_LEVEL: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
    SHIRUBE_LOG_FORMAT: { enum: ['pretty', 'json'] },
    SHIRUBE_REQUEST_LOG: { enum: ['0', '1', 'true', 'false'] },
    SHIRUBE_METRICS_TOKEN: { type: 'string', minLength: 16, pattern: '^\\S+$' },
    NODE_ENV: { type: 'string' },
    SHIRUBE_DEMO: { enum: ['0', '1', 'true', 'false'] },
    SHIRUBE_BODY_LIMIT: { type: 'string', pattern: '^[0-9]+$' },
    SHIRUBE_LRS_WRITERS: { type: 'string', pattern: '^[1-9][0-9]{0,2}$' },
    SHIRUBE_TRUST_PROXY: { enum: ['0', '1', 'true', 'false'] },
    SHIRUBE_CASE_URI_EXTRAS: { enum: ['0', '1', 'true', 'false'] },
    SHIRUBE_ADMIN_PASSWORD: { type: 'string', minLength: 12 },
    SHIRUBE_SIGNIN_MAX_FAILURES: { type: 'string', pattern: '^[1-9][0-9]{0,5}$' },
    SHIRUBE_SIGNIN_MAX_FAILURES_PER_IP: { type: 'string', pattern: '^[1-9][0-9]{0,5}$' },
    SHIRUBE_TIMEZONE: { type: 'string', minLength: 1 },
    SHIRUBE_SCHOOL_TERMS: { type: 'string', pattern: '^\\s*\\d\\d-\\d\\d/\\d\\d-\\d\\d\\s*(,\\s*\\d\\d-\\d\\d/\\d\\d-\\d\\d\\s*){0,5}$' },
    SHIRUBE_SECRET_KEY: { type: 'string', minLength: 32 },
    SHIRUBE_SCRYPT_N: { enum: ['16384', '32768', '65536', '131072', '262144', '524288', '1048576'] },
    SHIRUBE_VERIFY_FETCH: { enum: ['0', '1', 'true', 'false'] },
    SHIRUBE_VERIFY_ALLOW_HOSTS: { type: 'string', pattern: '^\\s*[A-Za-z0-9.:\\[\\]-]+\\s*(,\\s*[A-Za-z0-9.:\\[\\]-]+\\s*)*$' },
    OPENAI_API_KEY: { type: 'string', pattern: '^\\S+$' },
    OPENAI_BASE_URL: { type: 'string', pattern: '^https?://\\S+$' },
    ANTHROPIC_API_KEY: { type: 'string', pattern: '^\\S+$' },
    ANTHROPIC_BASE_URL: { type: 'string', pattern: '^https?://\\S+$' },
    GOOGLE_GENERATIVE_AI_API_KEY: { type: 'string', pattern: '^\\S+$' },
    GOOGLE_GENERATIVE_AI_BASE_URL: { type: 'string', pattern: '^https?://\\S+$' },
    SHIRUBE_LLM_BASE_URL: { type: 'string', pattern: '^https?://\\S+$' },
    SHIRUBE_LLM_API_KEY: { type: 'string', pattern: '^\\S+$' },
    SHIRUBE_LLM_TIMEOUT_SECONDS: { type: 'string', pattern: '^[1-9][0-9]{0,3}$' },
  },
  // A replica is of a primary.
  dependencies: { DATABASE_READ_URL: ['DATABASE_URL'] },
} as const;

const validate = new Ajv({ allErrors: true }).compile(schema);
const flag = (v: string | undefined, dflt: boolean) => (v === undefined ? dflt : v === '1' || v === 'true');

export class ConfigError extends Error {}

function llmSettings(v: Record<string, string | undefined>): LlmSettings {
  const settings: LlmSettings = {
    openaiApiKey: v['OPENAI_API_KEY'],
    openaiBaseUrl: v['OPENAI_BASE_URL'],
    anthropicApiKey: v['ANTHROPIC_API_KEY'],
    anthropicBaseUrl: v['ANTHROPIC_BASE_URL'],
    googleApiKey: v['GOOGLE_GENERATIVE_AI_API_KEY'],
    googleBaseUrl: v['GOOGLE_GENERATIVE_AI_BASE_URL'],
    compatibleBaseUrl: v['SHIRUBE_LLM_BASE_URL'],
    compatibleApiKey: v['SHIRUBE_LLM_API_KEY'],
    requestTimeoutMs: 1000 * Number(v['SHIRUBE_LLM_TIMEOUT_SECONDS'] ?? 120),
  };
  // A config dump or a log line shows which keys are set, never a key.
  const redacted = Object.fromEntries(Object.entries(settings).map(([k, x]) => [k, x === undefined ? null : k.endsWith('ApiKey') ? '[redacted]' : x]));
  Object.defineProperty(settings, 'toJSON', { value: () => redacted, enumerable: false });
  return Object.freeze(settings);
}

/** 3学期制, the most common school calendar: 1学期 April–July, 2学期 September–December, 3学期 January–March. */
const DEFAULT_SCHOOL_TERMS = '04-01/07-31,09-01/12-31,01-01/03-31';

/**
 * Terms `MM-DD/MM-DD,…` in school-year order (from 1 April to 31 March), each ending after it starts and before the
 * next starts; undefined when they are not.
 */
function schoolTerms(v: string): Array<{ from: string; to: string }> | undefined {
  // Position within the school year: April is its first month.
  const at = (md: string) => {
    const [m, d] = md.split('-').map(Number) as [number, number];
    return m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(2024, m, 0)).getUTCDate() ? ((m + 8) % 12) * 100 + d : NaN;
  };
  const terms = v.split(',').map((t) => t.trim().split('/') as [string, string]).map(([from, to]) => ({ from, to }));
  const ordered = terms.every((t, i) => at(t.from) <= at(t.to) && (i === 0 || at(terms[i - 1]!.to) < at(t.from)));
  return ordered ? terms : undefined;
}

/** Reads and checks the environment once; lists every bad variable together. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const relevant = Object.fromEntries(
    Object.keys(schema.properties).flatMap((k) => (env[k] === undefined || env[k] === '' ? [] : [[k, env[k]]])),
  );
  if (!validate(relevant)) {
    const lines = (validate.errors ?? []).map((e) => `  ${e.instancePath.slice(1) || e.params['missingProperty']}: ${e.message}`);
    throw new ConfigError(`Invalid environment (see docs/config.md):\n${lines.join('\n')}`);
  }
  const timeZone = relevant['SHIRUBE_TIMEZONE'] ?? 'Asia/Tokyo';
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw new ConfigError(`Invalid environment (see docs/config.md):\n  SHIRUBE_TIMEZONE: not an IANA time zone: ${timeZone}`);
  }
  const terms = schoolTerms(relevant['SHIRUBE_SCHOOL_TERMS'] ?? DEFAULT_SCHOOL_TERMS);
  if (!terms) throw new ConfigError(`Invalid environment (see docs/config.md):\n  SHIRUBE_SCHOOL_TERMS: terms MM-DD/MM-DD separated by commas, in school-year order from April, each ending before the next starts`);
  const port = Number(relevant['PORT'] ?? 3000);
  const logFormat = (relevant['SHIRUBE_LOG_FORMAT'] ?? (relevant['NODE_ENV'] === 'production' ? 'json' : 'pretty')) as 'pretty' | 'json';
  const publicUrl = (relevant['SHIRUBE_PUBLIC_URL'] ?? `http://localhost:${port}`).replace(/\/+$/, '');
  return Object.freeze({
    port,
    // Loopback unless told otherwise: a demo on a laptop is not on the school network (production: HOST=0.0.0.0).
    host: relevant['HOST'] ?? '127.0.0.1',
    publicUrl,
    databaseUrl: relevant['DATABASE_URL'],
    databaseReadUrl: relevant['DATABASE_READ_URL'],
    databaseReadMaxLagSeconds: Number(relevant['DATABASE_READ_MAX_LAG_SECONDS'] ?? 10),
    dataDir: resolve(relevant['SHIRUBE_DATA_DIR'] ?? '.shirube'),
    logLevel: relevant['SHIRUBE_LOG_LEVEL'] ?? 'info',
    logFormat,
    requestLog: flag(relevant['SHIRUBE_REQUEST_LOG'], logFormat === 'json'),
    metricsToken: relevant['SHIRUBE_METRICS_TOKEN'],
    loadDemo: flag(relevant['SHIRUBE_DEMO'], true),
    seedDemo: relevant['SHIRUBE_DEMO'] === undefined ? (relevant['DATABASE_URL'] ? 'no' : 'first-start') : flag(relevant['SHIRUBE_DEMO'], false) ? 'yes' : 'no',
    bodyLimit: Number(relevant['SHIRUBE_BODY_LIMIT'] ?? 32 * 1024 * 1024),
    lrsWriters: Number(relevant['SHIRUBE_LRS_WRITERS'] ?? 4),
    trustProxy: flag(relevant['SHIRUBE_TRUST_PROXY'], false),
    caseUriExtras: flag(relevant['SHIRUBE_CASE_URI_EXTRAS'], false),
    adminPassword: relevant['SHIRUBE_ADMIN_PASSWORD'],
    signInMaxFailures: Number(relevant['SHIRUBE_SIGNIN_MAX_FAILURES'] ?? 10),
    // Higher than per username: a whole school often signs in from one NAT address.
    signInMaxFailuresPerIp: Number(relevant['SHIRUBE_SIGNIN_MAX_FAILURES_PER_IP'] ?? 50),
    timeZone,
    schoolTerms: Object.freeze(terms.map((t) => Object.freeze(t))),
    secretKey: relevant['SHIRUBE_SECRET_KEY'],
    verifyFetch: flag(relevant['SHIRUBE_VERIFY_FETCH'], true),
    verifyAllowHosts: Object.freeze((relevant['SHIRUBE_VERIFY_ALLOW_HOSTS'] ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean)),
    llm: llmSettings(relevant),
  });
}
