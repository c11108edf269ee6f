import { randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { PAGE_CSS, pageHeader } from './html-page.js';

/**
 * The server-rendered pages outside the web UI (the OB 3.0 API's consent, LTI's picker and errors): only their own
 * inline style (and script, when given) may run, forms post only to Shirube and `formTargets`; never framed
 * (clickjacking), never cached.
 */
export const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function sendPage(reply: FastifyReply, status: number, lang: 'ja' | 'en' | 'ja en', title: string, body: string, opts: { formTargets?: string[]; script?: string } = {}) {
  const nonce = randomBytes(16).toString('base64');
  const script = opts.script ? ` script-src 'nonce-${nonce}';` : '';
  const csp = `default-src 'none'; style-src 'nonce-${nonce}';${script} img-src 'self' https: data:; form-action 'self' ${(opts.formTargets ?? []).join(' ')}; frame-ancestors 'none'; base-uri 'none'`;
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('content-security-policy', csp.replace(/ +;/g, ';'))
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .send(`<!doctype html><html lang="${lang === 'en' ? 'en' : 'ja'}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><link rel="icon" href="data:,"><title>${esc(title)}</title>
<style nonce="${nonce}">${PAGE_CSS}
fieldset{margin:0 0 1rem;border:1px solid var(--border);border-radius:8px}label{display:block;padding:.15rem 0}</style></head><body>${pageHeader(lang)}<main class="narrow">
${body}</main>${opts.script ? `<script nonce="${nonce}">${opts.script}</script>` : ''}</body></html>`);
}
