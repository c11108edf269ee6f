import * as client from 'openid-client';
import type { Db } from '../store/db.js';
import * as rosters from '../store/progress-rosters.js';
import { getUser } from '../store/auth.js';
import { ShirubeError } from '../errors.js';

/**
 * OpenID Connect sign-in per school (GIGA school accounts: Google Workspace, Microsoft 365) with openid-client:
 * authorization code + PKCE, state and nonce. The account is the roster person whose e-mail (or the configured
 * claim) the ID token carries; the (issuer, sub) pair is remembered so a renamed address still signs in.
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

/** The URL to send the browser to, and what to remember until it comes back. */
export async function startSignIn(db: Db, schoolId: string, redirectUri: string, returnTo: string): Promise<{ url: string; pending: PendingSignIn }> {
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
  return { url: url.href, pending };
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
