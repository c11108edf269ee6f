import { createHash } from 'node:crypto';
import * as client from 'openid-client';
import type { Db } from '../store/db.js';
import * as rosters from '../store/progress-rosters.js';
import * as shared from '../store/shared-state.js';
import { getUser } from '../store/auth.js';
import { ShirubeError } from '../errors.js';

/**
 * OpenID Connect sign-in per school (GIGA school accounts: Google Workspace, Microsoft 365) with openid-client:
 * authorization code + PKCE, state and nonce. The account is the roster person whose e-mail (or the configured
 * claim) the ID token carries; the (issuer, sub) pair is remembered so a renamed address still signs in.
 * Pending sign-ins are in the database: the provider may send the browser back to another instance.
 */
export interface PendingSignIn {
  schoolId: string;
  state: string;
  nonce: string;
  verifier: string;
  returnTo: string;
  expires: number;
}

const PENDING_TTL_MS = 10 * 60 * 1000;
// The state is a bearer secret (whoever has it may finish the sign-in): stored as its digest only.
const stateDigest = (state: string) => createHash('sha256').update(state).digest('base64url');
const isLocal = (issuer: string) => /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/.test(issuer);

// Discovery per issuer and client, kept for an hour.
const configs = new Map<string, { at: number; config: Promise<client.Configuration> }>();
async function configurationOf(p: rosters.OidcProviderRow): Promise<client.Configuration> {
  const key = `${p.issuer}\u0000${p.clientId}\u0000${p.clientSecret}`;
  const hit = configs.get(key);
  if (hit && Date.now() - hit.at < 3600_000) return hit.config;
  // Plain http only for a provider on this machine (tests, a local development IdP).
  const config = client.discovery(new URL(p.issuer), p.clientId, p.clientSecret, undefined, isLocal(p.issuer) ? { execute: [client.allowInsecureRequests] } : undefined);
  configs.set(key, { at: Date.now(), config });
  config.catch(() => configs.delete(key));
  return config;
}

async function providerOf(db: Db, schoolId: string): Promise<rosters.OidcProviderRow> {
  const p = await rosters.getOidcProvider(db, schoolId);
  if (!p || !p.enabled) throw new ShirubeError('not_found', `No school sign-in configured for ${schoolId}`, 'schoolId');
  return p;
}

/**
 * The URL to send the browser to, and the state to bind to the browser; what to check when it comes back is saved
 * for ten minutes. `busy` when the school already has `maxPending` sign-ins in progress.
 */
export async function startSignIn(db: Db, schoolId: string, redirectUri: string, returnTo: string, maxPending: number): Promise<{ url: string; state: string }> {
  const p = await providerOf(db, schoolId);
  let config: client.Configuration;
  try {
    config = await configurationOf(p);
  } catch (e) {
    throw new ShirubeError('bad_gateway', `The school's sign-in provider did not answer (${(e as Error).message})`, 'issuer');
  }
  const verifier = client.randomPKCECodeVerifier();
  const pending = { schoolId, state: client.randomState(), nonce: client.randomNonce(), verifier, returnTo, expires: Date.now() + PENDING_TTL_MS };
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid email profile',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state: pending.state,
    nonce: pending.nonce,
  });
  const row = { stateHash: stateDigest(pending.state), schoolId, nonce: pending.nonce, codeVerifier: verifier, returnTo, expiresAt: new Date(pending.expires) };
  if (!(await shared.savePendingSignIn(db, row, maxPending))) throw new ShirubeError('busy', 'Too many sign-ins in progress; try again in a minute');
  return { url: url.href, state: pending.state };
}

/** The pending sign-in of this state, taken: it cannot be finished twice, on this instance or another. */
export async function takeSignIn(db: Db, state: string): Promise<PendingSignIn | undefined> {
  const r = await shared.takePendingSignIn(db, stateDigest(state));
  return r && { schoolId: r.schoolId, state, nonce: r.nonce, verifier: r.codeVerifier, returnTo: r.returnTo, expires: r.expiresAt.getTime() };
}

/** Completes the sign-in: exchanges the code, checks the ID token, finds the account. Returns its user id. */
export async function finishSignIn(db: Db, pending: PendingSignIn, callbackUrl: URL): Promise<string> {
  if (pending.expires < Date.now()) throw new ShirubeError('unauthorized', 'The sign-in took too long; start again', 'state');
  const p = await providerOf(db, pending.schoolId);
  const config = await configurationOf(p);
  let claims: Record<string, unknown> | undefined;
  try {
    const tokens = await client.authorizationCodeGrant(config, callbackUrl, { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true });
    claims = tokens.claims();
    // Some providers put e-mail only in the UserInfo response (checked against the ID token's sub).
    if (claims && claims[p.claim] === undefined) claims = { ...(await client.fetchUserInfo(config, tokens.access_token, String(claims['sub']))), ...claims };
  } catch (e) {
    throw new ShirubeError('unauthorized', `The school's sign-in failed (${(e as Error).message})`, 'code');
  }
  if (!claims) throw new ShirubeError('unauthorized', 'The provider sent no ID token', 'code');
  const issuer = String(claims['iss']);
  const known = await rosters.findOidcIdentity(db, issuer, String(claims['sub']));
  let userId = known;
  if (!userId) {
    const value = claims[p.claim];
    if (p.claim === 'email' && claims['email_verified'] === false) throw new ShirubeError('forbidden', 'The e-mail address is not verified by the provider', 'email');
    if (typeof value !== 'string' || !value) throw new ShirubeError('forbidden', `The ID token has no ${p.claim}`, p.claim);
    const people = p.claim === 'sub' ? [] : (await rosters.findPerson(db, { email: value })).filter((x) => x.userId && (x.schoolId === null || x.schoolId === pending.schoolId));
    userId = people[0]?.userId ?? undefined;
    if (!userId) throw new ShirubeError('forbidden', 'No roster account matches this school account', p.claim);
    await rosters.saveOidcIdentity(db, issuer, String(claims['sub']), userId);
  }
  const user = await getUser(db, userId);
  if (!user || user.disabled) throw new ShirubeError('forbidden', 'This account is disabled', 'account');
  return userId;
}

/** Schools offering school-account sign-in (public: the sign-in page lists them). */
export async function signInProviders(db: Db) {
  return (await rosters.listOidcProviders(db)).map((p) => ({ schoolId: p.organizationId, schoolName: p.organizationName, label: p.label }));
}
