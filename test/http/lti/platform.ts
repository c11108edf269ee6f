import { createServer, type IncomingMessage, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type JWTPayload } from 'jose';

/**
 * An LTI 1.3 platform (an LMS or 学習eポータル) over real HTTP for the tests: its own RSA key and JWKS, an OIDC
 * authorization endpoint answering the tool's login redirect with a form-posted id_token, a token endpoint that
 * checks the tool's client assertion against the tool's JWKS, a Names and Role Provisioning endpoint in two pages,
 * a deep linking return URL that verifies the tool's response, and a page with a launch button (browser test).
 */
export const CLIENT_ID = 'shirube-tool';
export const DEPLOYMENT_ID = 'deployment-1';
const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
export const ROLE = {
  learner: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner',
  instructor: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor',
  ta: 'http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant',
  student: 'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student',
} as const;

/** What a launch asks for: the lti_message_hint names one of these. */
export interface LaunchSpec {
  sub: string;
  roles: string[];
  name?: string;
  messageType?: 'LtiResourceLinkRequest' | 'LtiDeepLinkingRequest';
  context?: { id: string; title: string };
  custom?: Record<string, string>;
  nrps?: boolean;
  locale?: string;
}

export interface Member {
  user_id: string;
  roles: string[];
  name?: string;
  status?: string;
}

export interface TestPlatform {
  issuer: string;
  jwksUrl: string;
  authUrl: string;
  tokenUrl: string;
  returnUrl: string;
  /** Launches by message hint. */
  launches: Map<string, LaunchSpec>;
  /** The context's members, served as two pages. */
  members: Member[];
  /** Changes the next id_tokens' claims or signing key (negative tests). */
  tamper: { claims?: (c: JWTPayload) => JWTPayload; key?: CryptoKey; expiresIn?: string };
  /** What the deep linking return URL received, verified. */
  received: JWTPayload[];
  /** Token requests whose client assertion verified; NRPS page requests. */
  tokenRequests: number;
  nrpsRequests: number;
  /** The last id_token signed (replay tests). */
  lastIdToken: string | undefined;
  /** Signs an id_token as the auth endpoint would. */
  idToken(spec: LaunchSpec, nonce: string): Promise<string>;
  launchPage(toolLogin: string, hint: string): string;
  close(): Promise<void>;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const autoPost = (action: string, fields: Record<string, string>) =>
  `<!doctype html><html><body><form method="post" action="${esc(action)}">${Object.entries(fields).map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`).join('')}<button type="submit">Continue</button></form><script>document.forms[0].submit()</script></body></html>`;

async function body(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export async function startPlatform(tool: { base: string }): Promise<TestPlatform> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = 'platform-key-1';
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const toolKeys = createRemoteJWKSet(new URL(`${tool.base}/lti/jwks`));
  const tokens = new Set<string>();
  let issuer = '';
  const p: TestPlatform = {
    issuer: '', jwksUrl: '', authUrl: '', tokenUrl: '', returnUrl: '',
    launches: new Map(),
    members: [],
    tamper: {},
    received: [],
    tokenRequests: 0,
    nrpsRequests: 0,
    lastIdToken: undefined,
    async idToken(spec, nonce) {
      const messageType = spec.messageType ?? 'LtiResourceLinkRequest';
      let claims: JWTPayload = {
        nonce,
        ...(spec.name ? { name: spec.name } : {}),
        ...(spec.locale ? { locale: spec.locale } : {}),
        [`${LTI}message_type`]: messageType,
        [`${LTI}version`]: '1.3.0',
        [`${LTI}deployment_id`]: DEPLOYMENT_ID,
        [`${LTI}target_link_uri`]: `${tool.base}/lti/launch`,
        [`${LTI}roles`]: spec.roles,
        ...(messageType === 'LtiResourceLinkRequest' ? { [`${LTI}resource_link`]: { id: 'link-1', title: 'Shirube' } } : {}),
        ...(spec.context ? { [`${LTI}context`]: { id: spec.context.id, title: spec.context.title, type: ['http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering'] } } : {}),
        ...(spec.custom ? { [`${LTI}custom`]: spec.custom } : {}),
        ...(spec.nrps && spec.context ? { 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice': { context_memberships_url: `${issuer}/nrps/${encodeURIComponent(spec.context.id)}`, service_versions: ['2.0'] } } : {}),
        ...(messageType === 'LtiDeepLinkingRequest'
          ? { 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings': { deep_link_return_url: p.returnUrl, accept_types: ['ltiResourceLink'], accept_presentation_document_targets: ['window'], accept_multiple: false, data: 'opaque-platform-data' } }
          : {}),
      };
      if (p.tamper.claims) claims = p.tamper.claims(claims);
      const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).setIssuer(issuer).setAudience(CLIENT_ID).setSubject(spec.sub).setIssuedAt().setExpirationTime(p.tamper.expiresIn ?? '5m');
      if (claims.iss) jwt.setIssuer(claims.iss);
      if (claims.aud) jwt.setAudience(claims.aud);
      if (claims.exp) jwt.setExpirationTime(claims.exp);
      if (claims.iat) jwt.setIssuedAt(claims.iat);
      return (p.lastIdToken = await jwt.sign(p.tamper.key ?? privateKey));
    },
    launchPage: (toolLogin, hint) => autoPost(toolLogin, { iss: issuer, login_hint: hint, target_link_uri: `${tool.base}/lti/launch`, lti_message_hint: hint, client_id: CLIENT_ID, lti_deployment_id: DEPLOYMENT_ID }).replace('<script>document.forms[0].submit()</script>', ''),
    close: async () => void (await new Promise<void>((res) => server.close(() => res()))),
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', issuer);
      const html = (status: number, text: string) => res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(text);
      const json = (status: number, v: unknown, headers: Record<string, string> = {}) => res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(v));
      if (url.pathname === '/favicon.ico') return res.writeHead(204).end();
      if (url.pathname === '/jwks') return json(200, { keys: [jwk] });
      if (url.pathname === '/course') return html(200, p.launchPage(`${tool.base}/lti/login`, url.searchParams.get('hint') ?? ''));
      if (url.pathname === '/auth') {
        // The OIDC authorization request the tool redirected to (LTI Security Framework §5.1.1.2).
        const q = url.searchParams;
        const spec = p.launches.get(q.get('lti_message_hint') ?? '');
        if (q.get('client_id') !== CLIENT_ID || q.get('redirect_uri') !== `${tool.base}/lti/launch` || q.get('response_mode') !== 'form_post' || q.get('scope') !== 'openid' || !spec || q.get('login_hint') !== q.get('lti_message_hint')) {
          return html(400, 'bad authorization request');
        }
        return html(200, autoPost(q.get('redirect_uri')!, { id_token: await p.idToken(spec, q.get('nonce')!), state: q.get('state')! }));
      }
      if (url.pathname === '/token' && req.method === 'POST') {
        const f = await body(req);
        if (f.get('grant_type') !== 'client_credentials' || f.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') return json(400, { error: 'invalid_request' });
        try {
          await jwtVerify(f.get('client_assertion') ?? '', toolKeys, { issuer: CLIENT_ID, subject: CLIENT_ID, audience: p.tokenUrl, algorithms: ['RS256'], requiredClaims: ['jti', 'exp', 'iat'] });
        } catch {
          return json(401, { error: 'invalid_client' });
        }
        if (f.get('scope') !== 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly') return json(400, { error: 'invalid_scope' });
        p.tokenRequests++;
        const token = randomUUID();
        tokens.add(token);
        return json(200, { access_token: token, token_type: 'Bearer', expires_in: 3600, scope: f.get('scope') });
      }
      if (url.pathname.startsWith('/nrps/')) {
        const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        if (!token || !tokens.has(token)) return json(401, { error: 'invalid_token' });
        if (req.headers.accept !== 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json') return json(406, { error: 'not acceptable' });
        p.nrpsRequests++;
        const page = Number(url.searchParams.get('page') ?? '1');
        const half = Math.ceil(p.members.length / 2);
        const members = page === 1 ? p.members.slice(0, half) : p.members.slice(half);
        const context = decodeURIComponent(url.pathname.slice('/nrps/'.length));
        const headers: Record<string, string> = page === 1 ? { link: `<${issuer}/nrps/${encodeURIComponent(context)}?page=2>; rel="next"` } : {};
        return json(200, { id: url.href, context: { id: context, title: context }, members }, headers);
      }
      if (url.pathname === '/deep-link-return' && req.method === 'POST') {
        const f = await body(req);
        try {
          const { payload } = await jwtVerify(f.get('JWT') ?? '', toolKeys, { issuer: CLIENT_ID, audience: issuer, algorithms: ['RS256'] });
          if (payload[`${LTI}message_type`] !== 'LtiDeepLinkingResponse' || payload[`${LTI}version`] !== '1.3.0' || payload[`${LTI}deployment_id`] !== DEPLOYMENT_ID) throw new Error('claims');
          p.received.push(payload);
          const items = payload['https://purl.imsglobal.org/spec/lti-dl/claim/content_items'] as Array<{ title: string }>;
          return html(200, `<h1>Received</h1><p id="received">${esc(items.map((i) => i.title).join(', '))}</p>`);
        } catch (e) {
          return html(400, `refused: ${esc((e as Error).message)}`);
        }
      }
      return html(404, 'not found');
    })().catch((e) => res.writeHead(500).end(String(e)));
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  const { port } = server.address() as { port: number };
  issuer = `http://127.0.0.1:${port}`;
  Object.assign(p, { issuer, jwksUrl: `${issuer}/jwks`, authUrl: `${issuer}/auth`, tokenUrl: `${issuer}/token`, returnUrl: `${issuer}/deep-link-return` });
  return p;
}

/** The fields of the first form of an HTML page (the auto-posting pages), and where it posts. */
export function formOf(page: string): { action: string; fields: Record<string, string> } {
  const action = /<form[^>]*action="([^"]*)"/.exec(page)?.[1] ?? '';
  const fields: Record<string, string> = {};
  const un = (s: string) => s.replace(/&#(\d+);/g, (_m, n) => String.fromCharCode(Number(n))).replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
  for (const m of page.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) fields[un(m[1]!)] = un(m[2]!);
  return { action: un(action), fields };
}
