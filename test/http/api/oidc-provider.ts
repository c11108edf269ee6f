import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
// @ts-expect-error oidc-provider ships no type declarations
import Provider from 'oidc-provider';

export const CLIENT_ID = 'shirube';
export const CLIENT_SECRET = 'a-long-enough-client-secret-for-hs256';

export interface TestIdp {
  issuer: string;
  /** The account the next visit to the login page signs in. */
  nextAccount: string;
  /** Follows the provider's redirects with its cookies, as a browser would, until it redirects to `back` (Shirube). */
  throughProvider(url: string, back: string): Promise<URL>;
  close(): Promise<void>;
}

/**
 * A real OpenID Connect provider (oidc-provider) on 127.0.0.1 standing in for Google Workspace / Microsoft 365, with
 * one client whose redirect URI is `redirectUri`. Its login page is replaced by a handler that signs in `nextAccount`
 * at once, as a pupil tapping their account.
 */
export async function startIdp(redirectUri: string, accounts: Record<string, { email: string; email_verified: boolean }>): Promise<TestIdp> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const provider = new Provider(issuer, {
    clients: [{ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'] }],
    findAccount: async (_ctx: unknown, id: string) => ({ accountId: id, claims: async () => ({ sub: id, ...accounts[id] }) }),
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, i: { uid: string }) => `/interaction/${i.uid}` },
    pkce: { required: () => true },
  });
  provider.proxy = false;
  const callback = provider.callback();
  const idp: TestIdp = {
    issuer,
    nextAccount: Object.keys(accounts)[0]!,
    async throughProvider(url, back) {
      const jar = new Map<string, string>();
      for (let i = 0; i < 10; i++) {
        const res = await fetch(url, { redirect: 'manual', headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
        for (const c of res.headers.getSetCookie()) {
          const [pair] = c.split(';');
          const [k, v] = pair!.split('=');
          jar.set(k!, v ?? '');
        }
        const location = res.headers.get('location');
        if (!location) throw new Error(`the provider stopped at ${url}: ${res.status} ${await res.text()}`);
        const next = new URL(location, url);
        if (next.href.startsWith(back)) return next;
        url = next.href;
      }
      throw new Error('too many redirects');
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  server.on('request', async (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/interaction/')) {
      const details = await provider.interactionDetails(req, res);
      const grant = new provider.Grant({ accountId: idp.nextAccount, clientId: details.params.client_id });
      grant.addOIDCScope('openid email profile');
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { login: { accountId: idp.nextAccount }, consent: { grantId } }, { mergeWithLastSubmission: false });
      return;
    }
    callback(req, res);
  });
  return idp;
}
