import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';

/**
 * A wallet driving the Open Badges 3.0 API's OAuth 2.0 flow over a real socket, for the tests that need a learner's
 * consent: registration, sign-in, the consent page, code with PKCE, tokens.
 */
export const SCOPE = 'https://purl.imsglobal.org/spec/ob/v3p0/scope/';
export const READ = `${SCOPE}credential.readonly`;
export const UPSERT = `${SCOPE}credential.upsert`;
export const PROFILE_READ = `${SCOPE}profile.readonly`;
export const PROFILE_UPDATE = `${SCOPE}profile.update`;
export const ALL_SCOPES = [READ, UPSERT, PROFILE_READ, PROFILE_UPDATE].join(' ');
/** The password tests set for the people who sign in. */
export const PASSWORD = 'correct horse battery';

export interface Res {
  status: number;
  headers: Headers;
  text: string;
  json: () => any;
}
export interface Client {
  client_id: string;
  client_secret: string;
}
export interface SignedIn {
  cookie: string;
  csrf: string;
}
export interface Tokens {
  access_token: string;
  refresh_token: string;
  scope: string;
  expires_in: number;
  token_type: string;
}

export const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};
export const basic = (c: Client) => ({ authorization: `Basic ${Buffer.from(`${encodeURIComponent(c.client_id)}:${encodeURIComponent(c.client_secret)}`).toString('base64')}` });
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The consent page's form: its hidden fields (the request and the CSRF token). */
export function formOf(html: string): Record<string, string> {
  const unescape = (s: string) => s.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)));
  return Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [unescape(m[1]!), unescape(m[2]!)]));
}

/**
 * The helpers, for a server at `base()` (read when called: tests learn the port in beforeAll) and a client that
 * registers `redirectUri`.
 */
export function obWallet(base: () => string, redirectUri = 'http://127.0.0.1:9/callback') {
  async function http(method: string, path: string, o: { headers?: Record<string, string>; json?: unknown; form?: Record<string, string>; text?: string } = {}): Promise<Res> {
    const headers: Record<string, string> = { ...o.headers };
    let body: string | undefined;
    if (o.json !== undefined) [headers['content-type'], body] = ['application/json', JSON.stringify(o.json)];
    if (o.form) [headers['content-type'], body] = ['application/x-www-form-urlencoded', new URLSearchParams(o.form).toString()];
    if (o.text !== undefined) [headers['content-type'], body] = ['text/plain', o.text];
    const res = await fetch(path.startsWith('http') ? path : base() + path, { method, headers, body, redirect: 'manual' });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
  }

  async function register(scope = ALL_SCOPES, meta: Record<string, unknown> = {}): Promise<Client> {
    const res = await http('POST', '/oauth/register', { json: { client_name: 'テスト財布 Wallet', client_uri: 'https://wallet.example', redirect_uris: [redirectUri], scope, ...meta } });
    expect(res.status).toBe(201);
    return res.json();
  }

  /** Signs in through the real sign-in API: the session cookie and the CSRF token. */
  async function signIn(username: string, password = PASSWORD): Promise<SignedIn> {
    const res = await http('POST', '/api/auth/sign-in', { json: { username, password } });
    expect(res.status).toBe(200);
    return { cookie: res.headers.get('set-cookie')!.split(';')[0]!, csrf: res.json().csrfToken as string };
  }

  const authorizeUrl = (client: { client_id: string }, p: Record<string, string | undefined>) =>
    `/oauth/authorize?${new URLSearchParams(Object.entries({ response_type: 'code', client_id: client.client_id, redirect_uri: redirectUri, state: 'st-1', ...p }).filter((e): e is [string, string] => e[1] !== undefined))}`;

  /** Drives /oauth/authorize as the signed-in person and decides; returns where the browser is sent. */
  async function decide(who: { cookie: string }, url: string, decision: 'allow' | 'deny'): Promise<URL> {
    const page = await http('GET', url, { headers: { cookie: who.cookie } });
    expect(page.status).toBe(200);
    const res = await http('POST', '/oauth/authorize', { headers: { cookie: who.cookie }, form: { ...formOf(page.text), decision } });
    expect(res.status).toBe(302);
    return new URL(res.headers.get('location')!);
  }

  async function consent(who: { cookie: string }, client: { client_id: string }, scope: string, challenge: string): Promise<string> {
    const back = await decide(who, authorizeUrl(client, { scope, code_challenge: challenge, code_challenge_method: 'S256' }), 'allow');
    expect(back.origin + back.pathname).toBe(redirectUri);
    expect(back.searchParams.get('state')).toBe('st-1');
    return back.searchParams.get('code')!;
  }

  const exchange = (client: Client, code: string, verifier: string, redirect = redirectUri) =>
    http('POST', '/oauth/token', { headers: basic(client), form: { grant_type: 'authorization_code', code, redirect_uri: redirect, code_verifier: verifier } });

  /** A learner's full grant: consent, then tokens; to a new client unless one is given. */
  async function grant(who: { cookie: string }, scope: string, to?: Client): Promise<{ client: Client } & Tokens> {
    const client = to ?? (await register());
    const { verifier, challenge } = pkce();
    const res = await exchange(client, await consent(who, client, scope, challenge), verifier);
    expect(res.status).toBe(200);
    return { client, ...(res.json() as Tokens) };
  }

  const refresh = (client: Client, refreshToken: string) => http('POST', '/oauth/token', { headers: basic(client), form: { grant_type: 'refresh_token', refresh_token: refreshToken } });

  return { http, register, signIn, authorizeUrl, decide, consent, exchange, grant, refresh, redirectUri };
}
