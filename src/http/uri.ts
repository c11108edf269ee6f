import type { FastifyInstance, FastifyRequest } from 'fastify';
import { frameworkMarks, serializeAssociation, serializeDefinition, serializeDocument, serializeItem, serializeRubric, type Json, type SerializeOptions } from '../case/serialize.js';
import { ShirubeError } from '../errors.js';
import { criterionScale } from '../progress/rubrics.js';
import { findCourseOfStudyItems, getDocument, itemAssociations, loadPackage, rubricsNamingItem, type AssociationRow, type DocumentRow, type ItemRow } from '../store/case.js';
import { sendCached } from './case/cache.js';
import { toStatusInfo } from './case/errors.js';
import { useCors } from './case/index.js';
import {
  canSee,
  unknown,
  visibleAssociation,
  visibleDefinition,
  visibleDocument,
  visibleItem,
  visibleItemAssociations,
  visibleRubric,
  type Reader,
} from './case/service.js';
import { pageLanguage } from './html-page.js';
import { adoptionLabel, associationLabel, definitionList, entityLink, html, messages, page, type Html, type Lang, type Messages } from './case/uri-page.js';

/** Content negotiation between the CASE 1.1 JSON (default, also with no Accept) and the HTML page. */
function wantsHtml(req: FastifyRequest): boolean {
  const q = (type: string) => {
    let best = 0;
    for (const part of (req.headers.accept ?? '').split(',')) {
      const [range = '', ...params] = part.trim().split(';').map((s) => s.trim());
      const qv = Number(params.find((p) => p.startsWith('q='))?.slice(2) ?? 1);
      // A wildcard counts a little less than the exact type, so `*/*` alone gives JSON.
      if (range === type) best = Math.max(best, qv);
      else if (range === `${type.split('/')[0]}/*` || range === '*/*') best = Math.max(best, qv - 0.001);
    }
    return best;
  };
  return q('text/html') > q('application/json');
}

type Found =
  | { kind: 'CFDocument'; doc: DocumentRow }
  | { kind: 'CFItem'; item: ItemRow; own: DocumentRow | undefined; holders: DocumentRow[] }
  | { kind: 'CFAssociation'; row: AssociationRow; doc: DocumentRow }
  | { kind: 'definition'; json: Json; defKind: string; lastChange: Date }
  | { kind: 'CFRubric'; json: Json; lastChange: Date };

/** Any entity by identifier, with the Private Draft rule; undefined when unknown or invisible. */
async function resolve(r: Reader, id: string): Promise<Found | undefined> {
  const doc = await visibleDocument(r, id);
  if (doc) return { kind: 'CFDocument', doc };
  const item = await visibleItem(r, id);
  if (item) return { kind: 'CFItem', ...item };
  const association = await visibleAssociation(r, id);
  if (association) return { kind: 'CFAssociation', ...association };
  const definition = await visibleDefinition(r, id);
  if (definition) return { kind: 'definition', json: serializeDefinition(definition.row, r.opts), defKind: definition.row.kind, lastChange: definition.row.lastChange };
  const rubric = await visibleRubric(r, id);
  if (rubric) return { kind: 'CFRubric', json: serializeRubric(rubric, r.opts), lastChange: rubric.lastChange };
  return undefined;
}

function toJson(f: Found, opts: SerializeOptions): { body: Json; lastModified: Date } {
  switch (f.kind) {
    case 'CFDocument': return { body: serializeDocument(f.doc, opts), lastModified: f.doc.lastChange };
    case 'CFItem': return { body: serializeItem(f.item, f.own, opts), lastModified: f.item.lastChange };
    case 'CFAssociation': return { body: serializeAssociation(f.row, f.doc, opts), lastModified: f.row.lastChange };
    default: return { body: f.json, lastModified: f.lastChange };
  }
}

const href = (id: string, lang: Lang) => `/uri/${encodeURIComponent(id)}?lang=${lang}`;
const linkTitle = (l: unknown) => (typeof l === 'object' && l && typeof (l as Json)['title'] === 'string' ? ((l as Json)['title'] as string) : '');
const itemLabel = (i: ItemRow) => {
  const p = i.payload;
  const text = String(p['abbreviatedStatement'] ?? p['fullStatement'] ?? '');
  return i.humanCodingScheme ? `${i.humanCodingScheme} ${text}` : text;
};
const bySequence = (a: AssociationRow, b: AssociationRow) => (a.sequenceNumber ?? Infinity) - (b.sequenceNumber ?? Infinity);

/** Pages for every kind; items and documents show the tree around them. */
class Pages {
  constructor(private r: Reader, private lang: Lang, private m: Messages = messages[lang]) {}

  private apiLink(kind: string, id: string) {
    const endpoint = { CFDocument: 'CFDocuments', CFItem: 'CFItems', CFAssociation: 'CFAssociations', CFRubric: 'CFRubrics' }[kind];
    return html`<p><a href="${`/uri/${encodeURIComponent(id)}.json`}" type="application/json">${this.m.json}</a>${endpoint ? html` · <a href="${`/ims/case/v1p1/${endpoint}/${encodeURIComponent(id)}`}">${this.m.api}</a>` : ''}</p>`;
  }

  /** Items linked to `id` by isChildOf from the visible associations: its children (destination = id). */
  private async children(id: string, associations: Array<{ row: AssociationRow }>): Promise<Html> {
    const rows = associations.map((a) => a.row).filter((a) => a.associationType === 'isChildOf' && a.destinationIdentifier === id).sort(bySequence);
    const items: Html[] = [];
    for (const a of rows) {
      const child = await visibleItem(this.r, a.originIdentifier);
      items.push(html`<li>${entityLink(child ? href(a.originIdentifier, this.lang) : undefined, child ? itemLabel(child.item) : linkTitle(a.payload['originNodeURI']) || a.originIdentifier)}</li>`);
    }
    return items.length ? html`<ul>${items}</ul>` : html`<p>${this.m.none}</p>`;
  }

  /** The framework's official / verified marks (frameworkMarks), or nothing. */
  private marks(doc: DocumentRow): Html | undefined {
    const { official, verified } = frameworkMarks(doc);
    if (!official && !verified) return undefined;
    return html`${official ? html`<span class="mark official">✔ ${this.m.official}</span> ` : ''}${verified ? html`<span class="mark verified">✔ ${this.m.verified}</span>` : ''}`;
  }

  async document(doc: DocumentRow): Promise<Html> {
    const json = serializeDocument(doc, this.r.opts);
    const associations = await visibleItemAssociations(this.r, doc.identifier);
    let top = await this.children(doc.identifier, associations);
    if (!associations.some((a) => a.row.associationType === 'isChildOf')) {
      // OpenCASE-style packages have no isChildOf to the document: their roots are the items without a parent.
      const rows = await loadPackage(this.r.db, doc.identifier);
      const parented = new Set(rows?.associations.filter((a) => a.associationType === 'isChildOf').map((a) => a.originIdentifier));
      const roots = (rows?.items ?? []).filter((i) => !parented.has(i.identifier));
      top = roots.length ? html`<ul>${roots.map((i) => html`<li>${entityLink(href(i.identifier, this.lang), itemLabel(i))}</li>`)}</ul>` : top;
    }
    return html`<p>${this.m.kinds.CFDocument}</p><h1>${doc.title}</h1>
${definitionList([
  [this.m.creator, String(json['creator'] ?? '')],
  [this.m.adoptionStatus, adoptionLabel(this.m, String(json['adoptionStatus'] ?? ''))],
  [this.m.marks, this.marks(doc)],
  [this.m.description, String(json['description'] ?? '')],
  [this.m.lastChange, String(json['lastChangeDateTime'] ?? '')],
])}
${this.apiLink('CFDocument', doc.identifier)}
<section aria-labelledby="top"><h2 id="top">${this.m.topItems}</h2>${top}</section>`;
  }

  /** isChildOf ancestors from the item up to (excluding) its framework, in the item's own framework where possible. */
  private async ancestors(item: ItemRow, doc: DocumentRow | undefined): Promise<Array<{ id: string; label: string }>> {
    const chain: Array<{ id: string; label: string }> = [];
    const seen = new Set([item.identifier]);
    let current = item.identifier;
    while (chain.length < 50) {
      const parents = (await itemAssociations(this.r.db, current)).filter((a) => a.associationType === 'isChildOf' && a.originIdentifier === current);
      const parent = parents.find((a) => a.documentIdentifier === doc?.identifier) ?? parents[0];
      if (!parent || seen.has(parent.destinationIdentifier) || parent.destinationIdentifier === doc?.identifier) break;
      const found = await visibleItem(this.r, parent.destinationIdentifier);
      if (!found) break;
      seen.add(parent.destinationIdentifier);
      chain.unshift({ id: parent.destinationIdentifier, label: itemLabel(found.item) });
      current = parent.destinationIdentifier;
    }
    return chain;
  }

  async item(item: ItemRow, own: DocumentRow | undefined, holders: DocumentRow[]): Promise<Html> {
    const m = this.m;
    const doc = own && canSee(this.r.principal, own) ? own : holders.find((d) => canSee(this.r.principal, d));
    const json = serializeItem(item, own, this.r.opts);
    const associations = await visibleItemAssociations(this.r, item.identifier);
    const chain = await this.ancestors(item, doc);
    const crumbs = [
      ...(doc ? [html`<li>${entityLink(href(doc.identifier, this.lang), doc.title)}</li>`] : []),
      ...chain.map((c) => html`<li>${entityLink(href(c.id, this.lang), c.label)}</li>`),
      html`<li aria-current="page">${itemLabel(item)}</li>`,
    ];
    const others = associations.map((a) => a.row).filter((a) => !(a.associationType === 'isChildOf'));
    const rows: Html[] = [];
    for (const a of others) {
      const outgoing = a.originIdentifier === item.identifier;
      const end = (outgoing ? a.payload['destinationNodeURI'] : a.payload['originNodeURI']) as Json | undefined;
      const otherId = outgoing ? a.destinationIdentifier : a.originIdentifier;
      const other = await visibleItem(this.r, otherId);
      const label = other ? itemLabel(other.item) : linkTitle(end) || otherId;
      const uri = typeof end?.['uri'] === 'string' ? (end['uri'] as string) : undefined;
      rows.push(html`<tr><td>${associationLabel(m, a.associationType)} <code>${a.associationType}</code></td><td>${outgoing ? m.outgoing : m.incoming}</td><td>${entityLink(other ? href(otherId, this.lang) : undefined, label, uri)}</td></tr>`);
    }
    const code = typeof json['humanCodingScheme'] === 'string' ? (json['humanCodingScheme'] as string) : undefined;
    const type = (json['CFItemType'] as string | undefined) ?? linkTitle(json['CFItemTypeURI']);
    return html`<p>${m.kinds.CFItem}</p>
<nav aria-label="${m.breadcrumb}"><ol>${crumbs}</ol></nav>
<h1>${code ?? m.kinds.CFItem}</h1>
<p class="statement">${String(json['fullStatement'] ?? '')}</p>
${definitionList([
  [doc?.isCourseOfStudy ? m.code : m.hcs, code],
  [m.itemType, type || undefined],
  [m.educationLevel, Array.isArray(json['educationLevel']) ? (json['educationLevel'] as string[]).join(', ') : undefined],
  [m.framework, doc ? html`${entityLink(href(doc.identifier, this.lang), doc.title)} ${this.marks(doc)}` : undefined],
  [m.lastChange, String(json['lastChangeDateTime'] ?? '')],
])}
${this.apiLink('CFItem', item.identifier)}
<section aria-labelledby="children"><h2 id="children">${m.children}</h2>${await this.children(item.identifier, associations)}</section>
<section aria-labelledby="assoc"><h2 id="assoc">${m.associations}</h2>${rows.length
  ? html`<table><thead><tr><th scope="col">${m.type}</th><th scope="col">${m.direction}</th><th scope="col">${m.target}</th></tr></thead><tbody>${rows}</tbody></table>`
  : html`<p>${m.none}</p>`}</section>
<section aria-labelledby="rubrics"><h2 id="rubrics">${m.rubrics}</h2>${await this.itemRubrics(item.identifier)}</section>`;
  }

  async association(row: AssociationRow, doc: DocumentRow): Promise<Html> {
    const m = this.m;
    const end = async (key: 'originNodeURI' | 'destinationNodeURI', id: string) => {
      const found = await visibleItem(this.r, id);
      const link = row.payload[key] as Json | undefined;
      return entityLink(found ? href(id, this.lang) : undefined, found ? itemLabel(found.item) : linkTitle(link) || id, typeof link?.['uri'] === 'string' ? (link['uri'] as string) : undefined);
    };
    return html`<p>${m.kinds.CFAssociation}</p><h1>${associationLabel(m, row.associationType)} <code>${row.associationType}</code></h1>
${definitionList([
  [m.origin, await end('originNodeURI', row.originIdentifier)],
  [m.type, html`${associationLabel(m, row.associationType)} <code>${row.associationType}</code>`],
  [m.target, await end('destinationNodeURI', row.destinationIdentifier)],
  [m.framework, entityLink(href(doc.identifier, this.lang), doc.title)],
])}
${this.apiLink('CFAssociation', row.identifier)}`;
  }

  /** One criterion's levels as a table (quality, score, description), the level that counts as mastered marked. */
  private criterion(c: Json): Html {
    const scale = criterionScale(c);
    const levels = (Array.isArray(c['CFRubricCriterionLevels']) ? c['CFRubricCriterionLevels'] : []) as Json[];
    const item = c['CFItemURI'] as Json | undefined;
    const itemId = typeof item?.['identifier'] === 'string' ? (item['identifier'] as string) : undefined;
    const rows = levels.map((l) => html`<tr><th scope="row">${String(l['quality'] ?? '')}${scale?.mastery === l['identifier'] ? html` <small>(${this.m.mastery})</small>` : ''}</th><td>${l['score'] === undefined ? '' : String(l['score'])}</td><td>${String(l['description'] ?? '')}</td></tr>`);
    return html`<table><caption>${String(c['description'] ?? '')}${itemId ? html` ${entityLink(href(itemId, this.lang), linkTitle(item) || itemId)}` : ''}</caption>
<thead><tr><th scope="col">${this.m.level}</th><th scope="col">${this.m.score}</th><th scope="col">${this.m.levelDescription}</th></tr></thead><tbody>${rows}</tbody></table>`;
  }

  /** The rubrics (visible to the caller) whose criteria assess this item: each criterion of the item as a table. */
  private async itemRubrics(itemId: string): Promise<Html> {
    const out: Html[] = [];
    for (const row of await rubricsNamingItem(this.r.db, itemId)) {
      if (!(await visibleRubric(this.r, row.identifier))) continue;
      const json = serializeRubric(row, this.r.opts);
      const criteria = ((json['CFRubricCriteria'] ?? []) as Json[]).filter((c) => (c['CFItemURI'] as Json | undefined)?.['identifier'] === itemId);
      out.push(html`<h3>${entityLink(href(row.identifier, this.lang), String(json['title'] ?? row.identifier))}</h3>${criteria.map((c) => this.criterion(c))}`);
    }
    return out.length ? html`${out}` : html`<p>${this.m.none}</p>`;
  }

  /** A rubric: its fields and each criterion's levels. */
  rubric(json: Json): Html {
    const criteria = (Array.isArray(json['CFRubricCriteria']) ? json['CFRubricCriteria'] : []) as Json[];
    return html`${this.plain('CFRubric', json)}
<section aria-labelledby="criteria"><h2 id="criteria">${this.m.criteria}</h2>${criteria.length ? criteria.map((c) => this.criterion(c)) : html`<p>${this.m.none}</p>`}</section>`;
  }

  /** Definitions and rubrics: their scalar fields. */
  plain(kind: keyof Messages['kinds'], json: Json): Html {
    const rows = Object.entries(json).filter(([, v]) => typeof v === 'string' || typeof v === 'number') as Array<[string, string | number]>;
    return html`<p>${this.m.kinds[kind]}</p><h1>${String(json['title'] ?? json['identifier'])}</h1>
<table><thead><tr><th scope="col">${this.m.field}</th><th scope="col">${this.m.value}</th></tr></thead><tbody>${rows.map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${v}</td></tr>`)}</tbody></table>
${this.apiLink(kind, String(json['identifier']))}`;
  }
}

function errorPage(lang: Lang, status: number, description: string, self: string): string {
  const m = messages[lang];
  return page(lang, status === 404 ? m.notFound : m.error, self, html`<h1>${status === 404 ? m.notFound : m.error} (${status})</h1>${status === 404 ? html`<p>${m.notFoundText}</p>` : ''}<p class="muted" lang="en">${description}</p>`);
}

/**
 * Resolvable URIs: `/uri/{identifier}` answers machines with the entity's CASE 1.1 JSON (`Accept: application/json`,
 * a `.json` suffix, or no Accept at all) and people with an HTML page (`Accept: text/html`, or `.html`);
 * `/uri/code/{16 digits}` finds an item by Course of Study Code.
 */
export default async function uriResolver(app: FastifyInstance) {
  useCors(app);
  const reader = (req: FastifyRequest): Reader => ({ db: app.store.db, principal: req.principal, opts: { version: '1.1', publicUrl: app.config.publicUrl } });
  const html404 = (req: FastifyRequest) => wantsHtml(req) && !req.url.split('?')[0]!.endsWith('.json');

  app.setErrorHandler((err, req, reply) => {
    const { status, body } = toStatusInfo(err, '1.1');
    if (status >= 500) req.log.error({ err }, '/uri request failed');
    if (!html404(req)) return reply.code(status).send(body);
    return reply.code(status).type('text/html; charset=utf-8').send(errorPage(pageLanguage(req), status, body.imsx_description ?? '', req.url.split('?')[0]!));
  });
  app.setNotFoundHandler((req, reply) => {
    throw new ShirubeError('not_found', `Nothing at ${req.url.split('?')[0]}`, 'identifier');
  });

  const lang = { type: 'string', enum: ['ja', 'en'], description: 'Language of the HTML page (default: Accept-Language, else Japanese)' } as const;

  app.get<{ Params: { code: string }; Querystring: { lang?: Lang } }>('/code/:code', {
    schema: {
      tags: ['Resolvable URIs'],
      summary: 'Finds a CFItem by Course of Study Code (Course of Study frameworks only): 302 to its /uri, 300 when several match',
      params: { type: 'object', properties: { code: { type: 'string', description: 'The 16-digit Course of Study Code' } }, required: ['code'] },
      querystring: { type: 'object', properties: { lang } },
    },
  }, async (req, reply) => {
    const { code } = req.params;
    if (!/^\d{16}$/.test(code)) throw new ShirubeError('invalid_request', `code: "${code}" is not a Course of Study Code (16 digits)`, 'code');
    const r = reader(req);
    const matches: ItemRow[] = [];
    for (const { item, documentIdentifier } of await findCourseOfStudyItems(app.store.db, code)) {
      const doc = await getDocument(app.store.db, documentIdentifier);
      if (doc && canSee(r.principal, doc) && !matches.some((x) => x.identifier === item.identifier)) matches.push(item);
    }
    if (matches.length === 0) throw new ShirubeError('not_found', `No item has the Course of Study Code ${code}`, 'code');
    const target = (id: string) => `${app.config.publicUrl}/uri/${encodeURIComponent(id)}${req.query.lang ? `?lang=${req.query.lang}` : ''}`;
    reply.header('Vary', 'Accept, Accept-Language');
    if (matches.length === 1) return reply.redirect(target(matches[0]!.identifier), 302);
    reply.code(300);
    if (!wantsHtml(req)) {
      return reply.send({ choices: matches.map((i) => ({ identifier: i.identifier, uri: target(i.identifier), humanCodingScheme: i.humanCodingScheme, fullStatement: i.payload['fullStatement'] })) });
    }
    const l = pageLanguage(req);
    const items = matches.map((i) => html`<li><a href="${href(i.identifier, l)}">${itemLabel(i)}</a></li>`);
    return reply.type('text/html; charset=utf-8').send(page(l, messages[l].choices, req.url.split('?')[0]!, html`<h1>${messages[l].choices}</h1><ul>${items}</ul>`));
  });

  app.get<{ Params: { identifier: string }; Querystring: { lang?: Lang } }>('/:identifier', {
    schema: {
      tags: ['Resolvable URIs'],
      summary: 'Any CASE entity by identifier: CASE 1.1 JSON (Accept: application/json, .json, or no Accept) or an HTML page (Accept: text/html)',
      params: { type: 'object', properties: { identifier: { type: 'string' } }, required: ['identifier'] },
      querystring: { type: 'object', properties: { lang } },
    },
  }, async (req, reply) => {
    const suffix = /\.(json|html)$/.exec(req.params.identifier)?.[1];
    const id = suffix ? req.params.identifier.slice(0, -(suffix.length + 1)) : req.params.identifier;
    const asHtml = suffix ? suffix === 'html' : wantsHtml(req);
    const r = reader(req);
    const found = await resolve(r, id);
    if (!found) throw unknown('Entity', id);
    const json = toJson(found, r.opts);
    if (!asHtml) return sendCached(req, reply, json.body, json.lastModified);
    const l = pageLanguage(req);
    const pages = new Pages(r, l);
    const body =
      found.kind === 'CFDocument' ? await pages.document(found.doc)
      : found.kind === 'CFItem' ? await pages.item(found.item, found.own, found.holders)
      : found.kind === 'CFAssociation' ? await pages.association(found.row, found.doc)
      : found.kind === 'CFRubric' ? pages.rubric(found.json)
      : pages.plain(found.defKind as keyof Messages['kinds'], found.json);
    const title = String(json.body['title'] ?? json.body['humanCodingScheme'] ?? json.body['fullStatement'] ?? id).slice(0, 80);
    reply.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    reply.header('Content-Language', l);
    return sendCached(req, reply, page(l, title, `/uri/${encodeURIComponent(req.params.identifier)}`, body), json.lastModified, 'text/html; charset=utf-8');
  });
}

