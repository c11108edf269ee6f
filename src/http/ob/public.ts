import type { FastifyInstance } from 'fastify';
import { achievementJson, didDocument, getAchievement, issuerProfile, statusList, verifierOptions, verifyCredential } from '../../badges/index.js';
import * as store from '../../store/badges.js';
import { FailureLimiter } from '../../auth/index.js';
import { ShirubeError } from '../../errors.js';
import { badgeContext } from './context.js';
import { PAGE_CSS, pageHeader, pageLanguage, type PageLang } from '../html-page.js';

const tags = ['Open Badges'];
/** Verifications one address may ask for in an hour (each costs canonicalisation, and perhaps fetches from other hosts). */
export const VERIFICATIONS_PER_HOUR = 600;
const uuid = { type: 'string', pattern: '^[0-9a-fA-F-]{36}$' } as const;
const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** What Shirube publishes for verifiers: issuers' DID documents and profiles, status lists, achievements, verification. */
export default async function badgePublicRoutes(app: FastifyInstance) {
  const issuerOf = async (id: string) => {
    const issuer = await store.getIssuer(app.store.db, { id });
    if (!issuer) throw new ShirubeError('not_found', `No issuer ${id}`, 'issuerId');
    return issuer;
  };

  app.get<{ Params: { id: string } }>('/issuers/:id/did.json', { schema: { tags, summary: 'The DID document of an issuer (did:web, path form)', params: { type: 'object', properties: { id: { type: 'string' } } } } }, async (req, reply) => {
    const issuer = await issuerOf(req.params.id);
    return reply.type('application/did+json').send(await didDocument(app.store.db, issuer));
  });

  app.get<{ Params: { id: string } }>('/issuers/:id', { schema: { tags, summary: 'The Open Badges 3.0 Profile of an issuer', params: { type: 'object', properties: { id: { type: 'string' } } } } }, async (req) => ({
    '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
    ...issuerProfile(await issuerOf(req.params.id)),
  }));

  app.get<{ Params: { id: string } }>('/badges/status/:id', { schema: { tags, summary: 'A BitstringStatusListCredential (revocation), signed by its issuer; ETag / If-None-Match (304)', params: { type: 'object', properties: { id: uuid } } } }, async (req, reply) => {
    const list = await statusList(badgeContext(app), req.params.id.toLowerCase());
    if (!list) throw new ShirubeError('not_found', `No status list ${req.params.id}`, 'id');
    // Caches may keep it but must ask each time: a revocation shows on the next request.
    reply.header('cache-control', 'public, no-cache').header('etag', list.etag);
    const known = (req.headers['if-none-match'] ?? '').split(',').map((t) => t.trim().replace(/^W\//, ''));
    if (known.includes(list.etag.replace(/^W\//, '')) || known.includes('*')) return reply.code(304).send();
    return reply.type('application/vc+ld+json').send(await list.credential());
  });

  app.get<{ Params: { id: string } }>('/badges/achievements/:id', { schema: { tags, summary: 'An Achievement (OB 3.0), with its criteria and CFItem alignment', params: { type: 'object', properties: { id: uuid } } } }, async (req) => ({
    '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
    ...achievementJson(app.config.publicUrl, await getAchievement(app.store.db, req.params.id)),
  }));

  app.get<{ Params: { id: string } }>('/badges/achievements/:id/image.svg', { schema: { tags, summary: 'The default image of an achievement', params: { type: 'object', properties: { id: uuid } } } }, async (req, reply) => {
    const a = await getAchievement(app.store.db, req.params.id);
    return reply.type('image/svg+xml').send(badgeSvg(a.humanCode ?? '', a.name));
  });

  app.get<{ Params: { id: string } }>('/badges/credentials/:id', { schema: { tags, summary: 'The public verification page of a credential issued by this Shirube (HTML; Japanese, or English with ?lang=en or Accept-Language)', params: { type: 'object', properties: { id: uuid } }, querystring: { type: 'object', properties: { lang: { type: 'string', enum: ['ja', 'en'] } } } } }, async (req, reply) => {
    const c = await store.getCredential(app.store.db, `urn:uuid:${req.params.id.toLowerCase()}`);
    if (!c) throw new ShirubeError('not_found', `No credential ${req.params.id}`, 'id');
    return reply.type('text/html; charset=utf-8').send(verifyPage(await verification(app, c.payload), pageLanguage(req), `/badges/credentials/${req.params.id}`));
  });

  // What a verifier may send: the credential as JSON, a VC-JWT as text, or a baked image (OB 3.0 §5.3 file formats).
  app.addContentTypeParser(['application/ld+json', 'application/vc+ld+json'], { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));
  app.addContentTypeParser(['application/jwt', 'application/vc+jwt'], { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.addContentTypeParser(['image/png', 'image/svg+xml'], { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  const jws = { type: 'string', minLength: 1, description: 'A VC-JWT (compact JWS)' } as const;
  const verifications = new FailureLimiter(app.store.db, { bucket: 'public-verify', max: VERIFICATIONS_PER_HOUR, windowMs: 3_600_000 });
  app.post<{ Body: Record<string, unknown> | string | Buffer }>('/badges/verify', {
    schema: {
      tags,
      summary: 'Verify a credential from Shirube or elsewhere: OB 3.0 / CLR 2.0 JSON (embedded proof), a VC-JWT, a baked PNG or SVG, or an OB 2.0 assertion (signature, JSON Schema, status, dates, issuer); DID documents, keys and status lists of other hosts are fetched (SHIRUBE_VERIFY_FETCH), JSON-LD contexts never',
      body: {
        content: {
          'application/json': { schema: { type: 'object' } },
          'application/ld+json': { schema: { type: 'object' } },
          'application/vc+ld+json': { schema: { type: 'object' } },
          'text/plain': { schema: jws },
          'application/jwt': { schema: jws },
          'application/vc+jwt': { schema: jws },
          'image/png': { schema: { description: 'A baked PNG (iTXt openbadgecredential)' } },
          'image/svg+xml': { schema: { description: 'A baked SVG (<openbadges:credential>)' } },
        },
      },
    },
    // A baked badge image is larger than a credential.
    bodyLimit: 5 * 1024 * 1024,
    config: { csrfExempt: true },
  }, async (req, reply) => {
    const wait = await verifications.take(req.ip);
    if (wait > 0) {
      reply.header('Retry-After', String(wait));
      throw new ShirubeError('busy', `Too many verifications from this address (${VERIFICATIONS_PER_HOUR} an hour); try again in ${Math.ceil(wait / 60)} minute(s)`);
    }
    return verification(app, req.body);
  });
}

const verifyWords = {
  ja: {
    verified: '検証済み：この証明書は有効です', revoked: '取り消し済み：発行者がこのバッジを取り消しました', failed: '検証できません：次の確認項目を見てください',
    issuer: '発行者', validFrom: '発行日', courseOfStudy: '学習指導要領の項目', checks: '確認項目', ok: '確認済み', notOk: '問題あり',
    check: { format: '形式', schema: 'スキーマ', proof: '署名', claims: 'JWT の内容', status: '取り消しの有無', dates: '有効期間', issuer: '発行者', credentials: '含まれる証明書' } as Record<string, string>,
  },
  en: {
    verified: 'Verified: this credential is valid', revoked: 'Revoked by its issuer', failed: 'Not verified: see the checks below',
    issuer: 'Issuer', validFrom: 'Valid from', courseOfStudy: 'Course of Study item', checks: 'Checks', ok: 'passed', notOk: 'failed',
    check: { format: 'Format', schema: 'Schema', proof: 'Signature', claims: 'JWT claims', status: 'Revocation status', dates: 'Validity period', issuer: 'Issuer', credentials: 'Bundled credentials' } as Record<string, string>,
  },
} as const;

/**
 * The public verification page of a credential issued here, in Japanese or English (?lang=, Accept-Language): the
 * verdict, the badge, its issuer and Course of Study item, each check by name with the verifier's own words (English,
 * marked so) as its detail.
 */
function verifyPage(r: Awaited<ReturnType<typeof verification>>, lang: PageLang, self: string): string {
  const w = verifyWords[lang];
  const a = r.credential.achievement;
  const items = (a?.alignment ?? []).map((x: Record<string, string>) => `<li><a href="${escape(x['targetUrl'] ?? '')}">${escape(x['targetName'] ?? '')}</a> <span class="muted">${escape(x['targetFramework'] ?? '')}</span></li>`).join('');
  const checks = r.checks.map((c) => `<li><span class="${c.ok ? 'ok' : 'bad'}">${c.ok ? '✔' : '✘'} ${escape(w.check[c.check] ?? c.check)}: ${c.ok ? w.ok : w.notOk}</span> <span class="muted" lang="en">${escape(c.message)}</span></li>`).join('');
  const validFrom = typeof r.credential.validFrom === 'string' ? new Intl.DateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(r.credential.validFrom)) : '';
  const verdict = r.verified ? `<p class="verdict ok">✔ ${w.verified}</p>` : `<p class="verdict bad">✘ ${r.revoked ? w.revoked : w.failed}</p>`;
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><link rel="icon" href="data:,"><title>${escape(String(r.credential.name ?? 'Open Badge'))} — Shirube</title><style>${PAGE_CSS}</style></head><body>
${pageHeader(lang, `${self}?lang=${lang === 'ja' ? 'en' : 'ja'}`)}<main>
<h1>${escape(String(r.credential.name ?? ''))}</h1>
${verdict}
<dl><dt>${w.issuer}</dt><dd>${escape(String(r.credential.issuer.name ?? r.credential.issuer.id ?? ''))}</dd><dt>${w.validFrom}</dt><dd>${escape(validFrom)}</dd></dl>
<h2>${w.courseOfStudy}${a?.humanCode ? ` (${escape(String(a.humanCode))})` : ''}</h2><ul>${items}</ul>
<h2>${w.checks}</h2><ul class="checks">${checks}</ul></main></body></html>`;
}

/** The verdict and what a person wants to see (the badge, its issuer, the aligned item); other hosts' documents fetched when SHIRUBE_VERIFY_FETCH is on. */
export const verification = (app: FastifyInstance, credential: unknown) => verifyCredential(credential, verifierOptions(badgeContext(app)));

/** A plain round badge with the Course of Study Code. */
export function badgeSvg(code: string, name: string): string {
  // A group achievement's code joins its items' codes with " + ": one per line, at most three lines.
  const codes = code.split(' + ');
  const lines = codes.length > 3 ? [...codes.slice(0, 2), `+ ${codes.length - 2}`] : codes;
  const top = 160 - 9 * (lines.length - 1);
  const text = lines.map((c, i) => `<text x="128" y="${top + 18 * i}" font-size="14" text-anchor="middle" fill="#333" font-family="monospace">${escape(c)}</text>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256"><title>${escape(name)}</title><circle cx="128" cy="128" r="120" fill="#1f6feb"/><circle cx="128" cy="128" r="100" fill="#fff"/><text x="128" y="${top - 40}" font-size="28" text-anchor="middle" fill="#1f6feb" font-family="sans-serif">標</text>${text}</svg>`;
}
