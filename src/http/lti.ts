import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { canReadPrivate, createSession, csrfMatches, endSession, SESSION_TTL_MS } from '../auth/index.js';
import { tokenDigest } from '../auth/secrets.js';
import { listFrameworks, isPublicFramework } from '../case/frameworks.js';
import { isShirubeError, ShirubeError } from '../errors.js';
import { deepLinkingResponse, initiateLogin, launchTarget, pickToken, provisionLaunch, readPick, syncRoster, takeLaunch, toolJwks, verifyLaunch, type LoginInitiation, type LtiContext, type Target } from '../lti/index.js';
import { frameworkStructure } from '../progress/index.js';
import { toApiError } from './api/errors.js';
import { secretKeyOf } from './ob/context.js';
import { esc, sendPage } from './pages.js';
import { SESSION_COOKIE } from './plugins/auth.js';

const tags = ['LTI'];
// Launches in progress per platform: bounds what a flood of login initiations can store.
const MAX_PENDING = 10_000;
const STATE_TTL_S = 600;
const form = ['application/x-www-form-urlencoded'];

type Lang = 'ja' | 'en';
const words = {
  ja: {
    refused: '起動できません',
    fix: 'プラットフォーム（LMS・学習eポータル）の管理者に、次の内容を伝えてください。',
    pickTitle: 'リンクする内容を選ぶ',
    pickFramework: '教科（フレームワーク）を選んでください。',
    map: '学習マップ（学習者それぞれの自分のマップ）',
    items: '項目',
    grade: (g: string) => `第${g}学年`,
    choose: 'この内容をリンクする',
    other: '別の教科を選ぶ',
    sending: 'プラットフォームに戻っています…',
    continue: '続ける',
    language: 'English',
  },
  en: {
    refused: 'Cannot launch',
    fix: 'Tell the administrator of the platform (LMS, learning e-portal) the following.',
    pickTitle: 'Choose what the link opens',
    pickFramework: 'Choose a subject (framework).',
    map: 'The learning map (each learner’s own)',
    items: 'Items',
    grade: (g: string) => `Grade ${g}`,
    choose: 'Link this',
    other: 'Choose another subject',
    sending: 'Going back to the platform…',
    continue: 'Continue',
    language: '日本語',
  },
} as const;

const langOf = (v: unknown): Lang | undefined => (typeof v === 'string' ? (/^en\b/i.test(v) ? 'en' : /^ja\b/i.test(v) ? 'ja' : undefined) : undefined);
const requestLang = (req: FastifyRequest): Lang =>
  langOf((req.query as Record<string, unknown> | undefined)?.['lang']) ?? langOf((req.body as Record<string, unknown> | undefined)?.['lang']) ?? langOf(req.sessionInfo?.locale) ?? langOf(req.headers['accept-language']) ?? 'ja';

/** The state cookie: one per launch in progress (several tabs may launch at once), named after the state's digest. */
const stateCookie = (state: string) => `shirube_lti_${tokenDigest(state).slice(0, 16)}`;

const str = { type: 'string', maxLength: 2000 } as const;
const loginParams = {
  type: 'object',
  additionalProperties: true,
  properties: { iss: str, login_hint: str, target_link_uri: str, lti_message_hint: { type: 'string', maxLength: 8000 }, client_id: str, lti_deployment_id: str, lang: { type: 'string', maxLength: 10 } },
} as const;

/** The LTI domain's context for this server (the tool's private keys are sealed with the badge keys' secret key). */
export const ltiContext = (app: FastifyInstance): LtiContext => ({ db: app.store.db, publicUrl: app.config.publicUrl, secret: secretKeyOf(app) });

/**
 * LTI 1.3 for browsers (`/lti`, docs/lti.md): the platform's third-party login initiation, the launch (the id_token
 * form-posted back), the deep linking picker and the tool's JWKS. Refusals are pages saying what the platform's
 * administrator must fix; nothing is written before the launch is verified.
 */
export default async function ltiRoutes(app: FastifyInstance) {
  await app.register(formbody);
  const secure = app.config.publicUrl.startsWith('https:');
  const ctx = () => ltiContext(app);

  const refusedPage = (reply: FastifyReply, lang: Lang, status: number, message: string) => {
    const w = words[lang];
    return sendPage(reply, status, lang, `${w.refused} — Shirube`, `<h1>${w.refused} (${status})</h1><p>${w.fix}</p><p><code>${esc(message)}</code></p>`);
  };
  app.setErrorHandler((err, req, reply) => {
    const { status, body } = toApiError(err);
    if (status >= 500) req.log.error({ err }, 'LTI request failed');
    else req.log.info({ event: 'lti-refused', status, code: body.error.code, field: body.error.field }, 'LTI request refused');
    if (req.url.startsWith('/lti/jwks')) return reply.code(status).send(body);
    return refusedPage(reply, requestLang(req), status, body.error.message);
  });

  app.get('/lti/jwks', {
    schema: { tags, summary: 'The tool’s public keys (JWKS): platforms verify deep linking responses and client assertions with them', response: { 200: { type: 'object', properties: { keys: { type: 'array', items: { type: 'object', additionalProperties: true } } } } } },
  }, async (_req, reply) => reply.header('cache-control', 'public, max-age=300').send(await toolJwks(ctx())));

  const login = async (req: FastifyRequest, reply: FastifyReply, p: LoginInitiation) => {
    const { url, state } = await initiateLogin(ctx(), p, MAX_PENDING);
    // The platform form-posts the id_token back from its own site: SameSite=None (HTTPS only), else Lax on http.
    reply.setCookie(stateCookie(state), state, { path: '/lti', httpOnly: true, secure, sameSite: secure ? 'none' : 'lax', maxAge: STATE_TTL_S });
    return reply.redirect(url, 302);
  };
  app.get<{ Querystring: LoginInitiation }>('/lti/login', {
    schema: { tags, summary: 'OIDC third-party login initiation from the platform (302 to its authorization endpoint)', querystring: loginParams },
  }, (req, reply) => login(req, reply, req.query));
  app.post<{ Body: LoginInitiation }>('/lti/login', {
    config: { csrfExempt: true },
    schema: { tags, summary: 'OIDC third-party login initiation, form-posted by the platform', consumes: form, body: loginParams },
  }, (req, reply) => login(req, reply, req.body ?? {}));

  app.post<{ Body: { id_token?: string; state?: string; error?: string; error_description?: string } }>('/lti/launch', {
    config: { csrfExempt: true },
    schema: {
      tags,
      summary: 'The launch: the platform form-posts the id_token; a session opens and the browser goes to the map, the dashboard or the deep linking picker',
      consumes: form,
      body: { type: 'object', additionalProperties: true, properties: { id_token: { type: 'string', maxLength: 100_000 }, state: { type: 'string', maxLength: 500 }, error: { type: 'string', maxLength: 200 }, error_description: { type: 'string', maxLength: 1000 } } },
    },
  }, async (req, reply) => {
    const body = req.body ?? {};
    const state = body.state ?? '';
    const name = state ? stateCookie(state) : undefined;
    if (name) reply.clearCookie(name, { path: '/lti' });
    // Only the browser that started the launch may finish it (the cookie); the state is taken once.
    const pending = name && req.cookies[name] === state ? await takeLaunch(app.store.db, state) : undefined;
    if (!pending) throw new ShirubeError('unauthorized', 'state: unknown, already used, expired (10 minutes), or this browser did not start the launch (are cookies blocked?); launch again from the platform', 'state');
    if (body.error) throw new ShirubeError('invalid_request', `The platform refused the sign-in: ${body.error}${body.error_description ? ` (${body.error_description})` : ''}`, 'error');
    if (!body.id_token) throw new ShirubeError('invalid_request', 'id_token: is required', 'id_token');
    const launch = await verifyLaunch(ctx(), body.id_token, pending);
    const done = await provisionLaunch(ctx(), launch);
    // A new session for every launch; the one the browser held (same site only: the cookie is Lax) ends.
    const old = req.cookies[SESSION_COOKIE];
    if (old) await endSession(app.store.db, old);
    const s = await createSession(app.store.db, done.userId);
    reply.setCookie(SESSION_COOKIE, s.token, { path: '/', httpOnly: true, sameSite: 'lax', secure, maxAge: SESSION_TTL_MS / 1000 });
    req.log.info({ userId: done.userId, platformId: launch.platform.id, role: done.role, messageType: launch.messageType }, 'LTI launch');
    if (done.role === 'teacher' && done.contextRowId && launch.membershipsUrl && done.classId) {
      // Roster provisioning on a teacher's launch: a failure is logged, the teacher still gets in (and can sync later).
      try {
        const r = await syncRoster(ctx(), done.contextRowId, `user:${done.userId}`);
        req.log.info({ classId: r.classId, members: r.members, added: r.added, removed: r.removed }, 'LTI roster synced on launch');
      } catch (e) {
        req.log.warn({ event: 'lti-roster-sync-failed', code: isShirubeError(e) ? e.code : 'internal', message: (e as Error).message }, 'LTI roster sync failed');
      }
    }
    if (launch.deepLinking) {
      const pick = await pickToken(ctx(), launch, done.userId);
      return reply.redirect(`/lti/deep-link?${new URLSearchParams({ pick, lang: langOf(launch.locale) ?? 'ja' })}`, 303);
    }
    return reply.redirect(launchTarget(done, launch.custom), 303);
  });

  // Deep linking: the teacher's choice.
  const signedIn = async (req: FastifyRequest) => {
    if (!req.sessionInfo) throw new ShirubeError('unauthorized', 'Not signed in: open the deep link from the platform again', 'session');
  };
  app.get<{ Querystring: { pick: string; framework?: string; lang?: string } }>('/lti/deep-link', {
    onRequest: signedIn,
    schema: { tags, summary: 'The deep linking picker (ja/en): a framework, then its learning map or one of its items', querystring: { type: 'object', required: ['pick'], properties: { pick: { type: 'string', maxLength: 8000 }, framework: { type: 'string', maxLength: 200 }, lang: { type: 'string', enum: ['ja', 'en'] } } } },
  }, async (req, reply) => {
    const lang = requestLang(req);
    const w = words[lang];
    const principal = req.sessionInfo!.principal;
    await readPick(ctx(), req.query.pick, principal.userId);
    const other = lang === 'ja' ? 'en' : 'ja';
    const here = (q: Record<string, string>) => `/lti/deep-link?${new URLSearchParams({ pick: req.query.pick, ...q })}`;
    const header = `<p><a href="${esc(here({ ...(req.query.framework ? { framework: req.query.framework } : {}), lang: other }))}" lang="${other}">${words[other].language}</a></p><h1>${w.pickTitle}</h1>`;
    const frameworks = (await listFrameworks(app.store.db)).filter((d) => isPublicFramework(d) || canReadPrivate(principal, { identifier: d.identifier, organizationId: d.organizationId }));
    const chosen = frameworks.find((d) => d.identifier === req.query.framework);
    if (!chosen) {
      const list = frameworks.map((d) => `<li><a href="${esc(here({ framework: d.identifier, lang }))}">${esc(d.title)}</a></li>`).join('');
      return sendPage(reply, 200, lang, w.pickTitle, `${header}<p>${w.pickFramework}</p><ul>${list}</ul>`);
    }
    const s = await frameworkStructure(app.store.db, chosen.identifier);
    const grades = new Map<string, typeof s.items>();
    for (const i of s.items) grades.set(i.grade ?? '', [...(grades.get(i.grade ?? '') ?? []), i]);
    const radio = (value: string, label: string, checked = false) => `<label><input type="radio" name="target" value="${esc(value)}"${checked ? ' checked' : ''}> ${esc(label)}</label>`;
    const sets = [...grades].map(([grade, items]) => `<fieldset><legend>${esc(grade ? w.grade(grade) : w.items)}</legend>${items.map((i) => radio(`item:${i.id}`, `${i.code} ${i.fullStatement.slice(0, 80)}`)).join('')}</fieldset>`).join('');
    return sendPage(reply, 200, lang, w.pickTitle, `${header}<h2>${esc(chosen.title)}</h2>
<form method="post" action="/lti/deep-link"><input type="hidden" name="pick" value="${esc(req.query.pick)}"><input type="hidden" name="csrf_token" value="${esc(req.sessionInfo!.csrfToken)}"><input type="hidden" name="framework" value="${esc(chosen.identifier)}"><input type="hidden" name="lang" value="${lang}">
<fieldset><legend>${w.map}</legend>${radio('map', `${w.map}: ${chosen.title}`, true)}</fieldset>${sets}
<button type="submit">${w.choose}</button></form><p><a href="${esc(here({ lang }))}">${w.other}</a></p>`);
  });

  app.post<{ Body: { pick: string; csrf_token: string; framework: string; target: string; lang?: string } }>('/lti/deep-link', {
    onRequest: signedIn,
    config: { csrfExempt: true },
    schema: {
      tags,
      summary: 'The teacher’s choice: an LtiDeepLinkingResponse signed by the tool, auto-posted back to the platform',
      consumes: form,
      body: { type: 'object', required: ['pick', 'csrf_token', 'framework', 'target'], properties: { pick: { type: 'string', maxLength: 8000 }, csrf_token: { type: 'string', maxLength: 200 }, framework: { type: 'string', maxLength: 200 }, target: { type: 'string', maxLength: 300 }, lang: { type: 'string', enum: ['ja', 'en'] } } },
    },
  }, async (req, reply) => {
    const session = req.sessionInfo!;
    if (!csrfMatches(req.body.csrf_token, session)) throw new ShirubeError('forbidden', 'csrf_token: missing or wrong; open the deep link from the platform again', 'csrf_token');
    const pick = await readPick(ctx(), req.body.pick, session.principal.userId);
    const fw = (await listFrameworks(app.store.db)).find((d) => d.identifier === req.body.framework && (isPublicFramework(d) || canReadPrivate(session.principal, { identifier: d.identifier, organizationId: d.organizationId })));
    if (!fw) throw new ShirubeError('invalid_request', `framework: no framework ${req.body.framework}`, 'framework');
    let target: Target;
    if (req.body.target === 'map') target = { kind: 'map', framework: fw.identifier, title: fw.title };
    else {
      const item = req.body.target.startsWith('item:') ? (await frameworkStructure(app.store.db, fw.identifier)).byId.get(req.body.target.slice(5)) : undefined;
      if (!item) throw new ShirubeError('invalid_request', `target: map, or item:<identifier> of an item of ${fw.title}`, 'target');
      target = { kind: 'item', framework: fw.identifier, item: item.id, title: `${item.code} ${item.fullStatement}` };
    }
    const { jwt, returnUrl } = await deepLinkingResponse(ctx(), pick, target);
    req.log.info({ userId: session.principal.userId, platformId: pick.platformId, target: target.kind }, 'LTI deep linking response');
    const lang = requestLang(req);
    const w = words[lang];
    return sendPage(reply, 200, lang, w.sending, `<p>${w.sending}</p><form method="post" action="${esc(returnUrl)}"><input type="hidden" name="JWT" value="${esc(jwt)}"><button type="submit">${w.continue}</button></form>`, {
      formTargets: [new URL(returnUrl).origin],
      script: 'document.forms[0].submit()',
    });
  });
}
