import type { FastifyInstance } from 'fastify';
import { achievementJson, didDocument, getAchievement, issuerProfile, ownResolver, statusListCredential, verifyCredential } from '../../badges/index.js';
import * as store from '../../store/badges.js';
import { ShirubeError } from '../../errors.js';
import { badgeContext } from './context.js';

const tags = ['Open Badges'];
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

  app.get<{ Params: { id: string } }>('/badges/status/:id', { schema: { tags, summary: 'A BitstringStatusListCredential (revocation), signed by its issuer', params: { type: 'object', properties: { id: uuid } } } }, async (req, reply) => {
    const vc = await statusListCredential(badgeContext(app), req.params.id.toLowerCase());
    if (!vc) throw new ShirubeError('not_found', `No status list ${req.params.id}`, 'id');
    return reply.header('cache-control', 'no-cache').type('application/vc+ld+json').send(vc);
  });

  app.get<{ Params: { id: string } }>('/badges/achievements/:id', { schema: { tags, summary: 'An Achievement (OB 3.0), with its criteria and CFItem alignment', params: { type: 'object', properties: { id: uuid } } } }, async (req) => ({
    '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
    ...achievementJson(app.config.publicUrl, await getAchievement(app.store.db, req.params.id)),
  }));

  app.get<{ Params: { id: string } }>('/badges/achievements/:id/image.svg', { schema: { tags, summary: 'The default image of an achievement', params: { type: 'object', properties: { id: uuid } } } }, async (req, reply) => {
    const a = await getAchievement(app.store.db, req.params.id);
    return reply.type('image/svg+xml').send(badgeSvg(a.humanCode ?? '', a.name));
  });

  app.get<{ Params: { id: string } }>('/badges/credentials/:id', { schema: { tags, summary: 'The public verification page of a credential issued by this Shirube (HTML)', params: { type: 'object', properties: { id: uuid } } } }, async (req, reply) => {
    const c = await store.getCredential(app.store.db, `urn:uuid:${req.params.id.toLowerCase()}`);
    if (!c) throw new ShirubeError('not_found', `No credential ${req.params.id}`, 'id');
    return reply.type('text/html; charset=utf-8').send(verifyPage(await verification(app, c.payload)));
  });

  app.post<{ Body: Record<string, unknown> }>('/badges/verify', {
    schema: { tags, summary: 'Verify an Open Badges 3.0 credential (signature, OB 3.0 JSON Schema, status, dates, issuer); from Shirube or elsewhere', body: { type: 'object' } },
    config: { csrfExempt: true },
  }, async (req) => verification(app, req.body));
}

/** The public verification page of a credential issued here: the verdict, the badge and its Course of Study item. */
function verifyPage(r: Awaited<ReturnType<typeof verification>>): string {
  const a = r.credential.achievement;
  const items = (a?.alignment ?? []).map((x: Record<string, string>) => `<li><a href="${escape(x['targetUrl'] ?? '')}">${escape(x['targetName'] ?? '')}</a> <small>${escape(x['targetFramework'] ?? '')}</small></li>`).join('');
  const checks = r.checks.map((c) => `<li>${c.ok ? '✔' : '✘'} ${escape(c.check)}: ${escape(c.message)}</li>`).join('');
  return `<!doctype html><html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><link rel="icon" href="data:,"><title>${escape(String(r.credential.name ?? 'Open Badge'))}</title></head><body>
<h1>${escape(String(r.credential.name ?? ''))}</h1>
<p><strong>${r.verified ? '検証済み / Verified' : r.revoked ? '取り消し済み / Revoked' : '検証できません / Not verified'}</strong></p>
<p>発行者 / Issuer: ${escape(String(r.credential.issuer.name ?? r.credential.issuer.id ?? ''))}<br>発行日 / Valid from: ${escape(String(r.credential.validFrom ?? ''))}</p>
<h2>学習指導要領 / Course of Study${a?.humanCode ? ` (${escape(String(a.humanCode))})` : ''}</h2><ul>${items}</ul>
<h2>確認項目 / Checks</h2><ul>${checks}</ul></body></html>`;
}

/** The verdict plus what a person wants to see: the badge, its issuer, the aligned Course of Study item. */
export async function verification(app: FastifyInstance, credential: unknown) {
  const verdict = await verifyCredential(credential, { resolve: ownResolver(badgeContext(app)) });
  const c = (credential ?? {}) as Record<string, any>;
  const achievement = c['credentialSubject']?.['achievement'];
  return {
    ...verdict,
    credential: {
      id: c['id'] ?? null,
      name: c['name'] ?? achievement?.name ?? null,
      issuer: typeof c['issuer'] === 'string' ? { id: c['issuer'] } : { id: c['issuer']?.id ?? null, name: c['issuer']?.name ?? null },
      validFrom: c['validFrom'] ?? c['issuanceDate'] ?? null,
      validUntil: c['validUntil'] ?? c['expirationDate'] ?? null,
      achievement: achievement ? { id: achievement.id ?? null, name: achievement.name ?? null, humanCode: achievement.humanCode ?? null, alignment: Array.isArray(achievement.alignment) ? achievement.alignment : [] } : null,
    },
  };
}

/** A plain round badge with the Course of Study Code. */
export function badgeSvg(code: string, name: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256"><title>${escape(name)}</title><circle cx="128" cy="128" r="120" fill="#1f6feb"/><circle cx="128" cy="128" r="100" fill="#fff"/><text x="128" y="120" font-size="28" text-anchor="middle" fill="#1f6feb" font-family="sans-serif">標</text><text x="128" y="160" font-size="14" text-anchor="middle" fill="#333" font-family="monospace">${escape(code)}</text></svg>`;
}
