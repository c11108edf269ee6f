import type { FastifyRequest } from 'fastify';

/** What every server-rendered page (/uri, badge verification, OAuth consent and errors, policy, xAPI extension) shares. */
export type PageLang = 'ja' | 'en';

/** ?lang=ja|en, else the first of ja/en in Accept-Language, else Japanese. */
export function pageLanguage(req: FastifyRequest): PageLang {
  const asked = (req.query as { lang?: string } | undefined)?.lang;
  if (asked === 'ja' || asked === 'en') return asked;
  const prefs = (req.headers['accept-language'] ?? '')
    .split(',')
    .map((p) => {
      const [tag = '', ...params] = p.trim().toLowerCase().split(';');
      return { tag, q: Number(params.find((x) => x.trim().startsWith('q='))?.trim().slice(2) ?? 1) };
    })
    .sort((a, b) => b.q - a.q);
  const hit = prefs.find((p) => p.q > 0 && (p.tag.startsWith('ja') || p.tag.startsWith('en')));
  return hit?.tag.startsWith('en') ? 'en' : 'ja';
}

/**
 * The web UI's look (web/src/app/styles.css: its fonts, colours and header) in one small inline stylesheet, so that
 * a server page needs no other request. Text contrast ≥ 4.5:1 like the UI's.
 */
export const PAGE_CSS = `:root{--text:#1b1f24;--muted:#57606a;--border:#d0d7de;--accent:#1f5fa8;--bg:#f6f7f9;--surface:#fff;--ok:#1a7f37;--danger:#b42318}
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI","Hiragino Sans","Hiragino Kaku Gothic ProN","Noto Sans JP","Noto Sans CJK JP",Meiryo,sans-serif;line-height:1.7;color:var(--text);background:var(--bg)}
a{color:var(--accent)}:focus-visible{outline:3px solid #f0a500;outline-offset:2px}
.site-header{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.75rem 1.5rem;padding:.6rem 1.5rem;background:var(--surface);border-bottom:1px solid var(--border)}
.brand{font-weight:700;font-size:1.25rem;color:var(--text);text-decoration:none}
main{max-width:60rem;margin:1.5rem auto;padding:1.25rem 1.5rem;background:var(--surface);border:1px solid var(--border);border-radius:8px}
main.narrow{max-width:38rem}
h1{font-size:1.6rem;line-height:1.4;margin:0 0 .5rem}h2{font-size:1.2rem;line-height:1.4;margin:1.5rem 0 .5rem}
nav ol{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.25rem}nav li+li::before{content:"›";margin-right:.25rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:700}dd{margin:0;white-space:pre-wrap}
table{border-collapse:collapse;max-width:100%}th,td{border:1px solid var(--border);padding:.25rem .5rem;text-align:left;vertical-align:top}thead th{background:var(--bg)}
code,pre{font-family:ui-monospace,Menlo,Consolas,"Noto Sans Mono CJK JP",monospace;font-size:.9em;overflow-wrap:anywhere}pre{overflow:auto;background:var(--bg);padding:.75rem;border-radius:8px}
button{font:inherit;padding:.45rem 1.25rem;margin:0 .75rem .5rem 0;border-radius:8px;border:1px solid var(--accent);background:var(--surface);color:var(--accent);cursor:pointer}
button.primary{background:var(--accent);color:#fff}
.statement{white-space:pre-wrap;font-size:1.15rem}.muted{color:var(--muted);font-size:.9rem}
.verdict{font-size:1.1rem;font-weight:700}.ok{color:var(--ok)}.bad{color:var(--danger)}
.checks{list-style:none;padding:0}.checks li{margin:.25rem 0}
@media (max-width:640px){main{margin:0;border:0;border-radius:0;padding:1rem}.site-header{padding:.5rem 1rem}}`;

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The header of a server page: Shirube's name linking to the web UI, and a link to the page in the other language. */
export function pageHeader(lang: PageLang | 'ja en', otherLanguageHref?: string): string {
  const other = lang === 'ja' ? 'en' : 'ja';
  const link = otherLanguageHref && lang !== 'ja en' ? `<a href="${esc(otherLanguageHref)}" hreflang="${other}" lang="${other}">${other === 'en' ? 'English' : '日本語'}</a>` : '';
  return `<header class="site-header"><a class="brand" href="/">Shirube 標</a>${link}</header>`;
}
