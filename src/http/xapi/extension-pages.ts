import type { FastifyInstance } from 'fastify';
import { CF_ITEM_EXTENSION_PATH, COURSE_OF_STUDY_CODE, cfItemExtension } from '../../lrs/index.js';
import { CALIPER_EVENT_EXTENSION_PATH } from '../../caliper/index.js';
import { PAGE_CSS, pageHeader } from '../html-page.js';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The human-readable description served at our extension IRI (xAPI Data §4.1: an extension IRI SHOULD resolve to
 * its description).
 */
export default async function extensionPages(app: FastifyInstance) {
  // Registered under the /xapi prefix: the route is the IRI's path without it.
  app.get(CF_ITEM_EXTENSION_PATH.replace(/^\/xapi/, ''), { config: { xapiPublic: true }, schema: { tags: ['xAPI'], summary: 'Description of the CFItem extension IRI' } }, async (_req, reply) => {
    const iri = escape(cfItemExtension(app.config.publicUrl));
    const uri = escape(`${app.config.publicUrl}/uri/<identifier>`);
    return reply.type('text/html; charset=utf-8').send(`<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>xAPI 拡張: CFItem（学習指導要領の項目）</title><style>${PAGE_CSS}</style></head>
<body>${pageHeader('ja en')}<main>
<h1>xAPI 拡張: CFItem（学習指導要領の項目）<br><span lang="en">xAPI extension: CFItem</span></h1>
<p><code>${iri}</code></p>
<p lang="ja">このステートメントが学習の証拠となる学習指導要領の項目（1EdTech CASE の CFItem）。値は CFItem の <code>identifier</code>（UUID）または CASE URI（<code>${uri}</code>）。複数の項目は配列で示す。
<code>result.extensions</code> または <code>object.definition.extensions</code> に置く。未知の項目でもステートメントは拒否されず、保存されて記録される。</p>
<p lang="en">The Course of Study item (a 1EdTech CASE CFItem) this statement is evidence for. The value is the CFItem's identifier (a UUID) or its
CASE URI (<code>${uri}</code>), or an array of them. Use it as a result extension (<code>result.extensions</code>) or an activity extension
(<code>object.definition.extensions</code>). Unknown items never make the LRS reject a statement: the statement is stored and the reference is flagged.</p>
<p lang="en">Shirube also links statements through context activities whose id is a CFItem's CASE URI, and through the Japan xAPI profile's
<code>${escape(COURSE_OF_STUDY_CODE)}</code> (an array of Course of Study Codes).</p>
<h2>例 / <span lang="en">Example</span></h2>
<pre>${escape(JSON.stringify({ result: { success: true, score: { scaled: 1 }, extensions: { [cfItemExtension(app.config.publicUrl)]: '<CFItem identifier>' } } }, null, 2))}</pre>
</main></body></html>`);
  });

  app.get(CALIPER_EVENT_EXTENSION_PATH.replace(/^\/xapi/, ''), { config: { xapiPublic: true }, schema: { tags: ['xAPI'], summary: 'Description of the Caliper event extension IRI' } }, async (_req, reply) => {
    const iri = escape(`${app.config.publicUrl}${CALIPER_EVENT_EXTENSION_PATH}`);
    return reply.type('text/html; charset=utf-8').send(`<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>xAPI 拡張: Caliper イベント</title><style>${PAGE_CSS}</style></head>
<body>${pageHeader('ja en')}<main>
<h1>xAPI 拡張: Caliper イベント<br><span lang="en">xAPI extension: Caliper event</span></h1>
<p><code>${iri}</code></p>
<p lang="ja">Caliper 1.2 のイベント（<code>/caliper/v1p2/events</code> に送られたもの）から Shirube が作ったステートメントの文脈拡張。値は元のイベントの <code>id</code>（urn:uuid:…）、<code>type</code>、<code>action</code>。</p>
<p lang="en">A context extension of the statements Shirube makes from Caliper 1.2 events sent to <code>/caliper/v1p2/events</code>: the original event's
<code>id</code> (urn:uuid:…), <code>type</code> and <code>action</code>. The statement's id is the event's UUID.</p>
<pre>${escape(JSON.stringify({ context: { extensions: { [`${app.config.publicUrl}${CALIPER_EVENT_EXTENSION_PATH}`]: { id: 'urn:uuid:…', type: 'GradeEvent', action: 'Graded' } } } }, null, 2))}</pre>
</main></body></html>`);
  });
}
