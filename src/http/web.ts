import { existsSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fp from 'fastify-plugin';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Paths that belong to the APIs: never answered with the UI's index.html, even for a browser. */
const RESERVED = ['/ims', '/api', '/uri', '/oauth', '/openapi.json', '/xapi', '/ob', '/lti'];

/**
 * The page may load only its own scripts, styles and data. React sets inline styles through the CSSOM,
 * which style-src does not restrict, so no 'unsafe-inline' is needed.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
  "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/** `vite build web` writes to <package root>/dist/web, whether this file runs from src/ (tests, tsx) or dist/src/. */
export function defaultWebRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'dist', 'web');
}

const isReserved = (url: string) => {
  const path = url.split('?')[0]!;
  return RESERVED.some((p) => path === p || path.startsWith(`${p}/`));
};
const wantsHtml = (req: FastifyRequest) => (req.method === 'GET' || req.method === 'HEAD') && (req.headers.accept ?? '').includes('text/html') && !isReserved(req.url);

const notFound = (req: FastifyRequest, reply: FastifyReply) =>
  reply.code(404).send({ error: { code: 'not_found', message: `Nothing at ${req.method} ${req.url.split('?')[0]}` } });

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Shirube: web UI not built</title>
<h1>The web UI is not built</h1><p>Run <code>npm run build</code> (or <code>npm ci</code>, which builds), then restart the server.
The APIs work without it: <a href="/ims/case/v1p1/CFDocuments">/ims/case/v1p1/CFDocuments</a>, <a href="/api/docs">/api/docs</a>.</p></html>\n`;

/**
 * The web UI (web/, built by Vite into dist/web) at `/`. Hashed assets are cached for a year; index.html is
 * revalidated. Any other browser GET outside the APIs gets index.html, so the UI's own routes survive a reload.
 */
export default fp(
  async (app, opts: { root?: string }) => {
    const root = resolve(opts.root ?? defaultWebRoot());
    if (!existsSync(join(root, 'index.html'))) {
      app.log.warn({ root }, 'The web UI is not built: run `npm run build`');
      app.setNotFoundHandler((req, reply) =>
        wantsHtml(req) ? reply.code(503).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(NOT_BUILT) : notFound(req, reply),
      );
      return;
    }
    // Vite puts content-hashed files here: a new build gets new names.
    const assets = join(root, 'assets') + sep;
    await app.register(fastifyStatic, {
      root,
      prefix: '/',
      // One route per built file, not a catch-all: unknown /ims/… and /api/… paths keep their own 404 format.
      wildcard: false,
      cacheControl: false,
      // Also applies to the fallback's sendFile('index.html').
      setHeaders: (reply, path) => {
        if (path.endsWith('.html')) reply.header('cache-control', 'no-cache').header('content-security-policy', CONTENT_SECURITY_POLICY);
        else if (path.startsWith(assets)) reply.header('cache-control', 'public, max-age=31536000, immutable');
        reply.header('x-content-type-options', 'nosniff');
      },
    });
    app.setNotFoundHandler((req, reply) =>
      wantsHtml(req) ? reply.sendFile('index.html', root) : notFound(req, reply),
    );
  },
  { name: 'shirube-web' },
);
