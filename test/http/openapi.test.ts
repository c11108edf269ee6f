import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, type TestApp } from '../helper.js';
import { apiScopes } from '../../src/auth/index.js';

let t: TestApp;
let doc: { paths: Record<string, Record<string, { tags?: string[]; summary?: string }>>; components: { securitySchemes: Record<string, any> } };
beforeAll(async () => {
  t = await build();
  doc = (await t.app.inject({ url: '/openapi.json' })).json();
});
afterAll(() => t.close());

/**
 * Every registered route as `METHOD /path`, read from Fastify's route tree (printRoutes): each line is
 * `├── segment (METHODS)`, nested four columns per level, and a path is its ancestors' segments joined.
 */
function registeredRoutes(app: TestApp['app']): string[] {
  const stack: string[] = [];
  const out: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^(.*?)[└├]── (.*) \(([A-Z, ]+)\)$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    // A segment continuing its parent's (heatmap → .csv) is not a new path segment.
    // The top level is one root "/" or, as registration order has it, several paths such as "/api/docs".
    stack.push(depth === 0 ? m[2]! : /^[/.]/.test(m[2]!) ? m[2]! : `/${m[2]!}`);
    const path = stack.join('').replace(/\/{2,}/g, '/') || '/';
    for (const method of m[3]!.split(', ')) out.push(`${method} ${path}`);
  }
  return out;
}

/**
 * Documented exclusions: HEAD (Fastify adds one per GET) and the CORS preflight (OPTIONS), the web UI's static
 * files, the interactive docs themselves and the OpenAPI document.
 */
const excluded = (route: string) =>
  /^(HEAD|OPTIONS) /.test(route) ||
  /^GET (\/|\/\*|\/index\.html|\/assets\/.*|\/favicon\.[a-z]+|\/api\/docs.*|\/openapi\.json)$/.test(route);

const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/(.)\/$/, '$1');

describe('GET /openapi.json', () => {
  it('documents every route the server registers, with tags and a summary', () => {
    const documented = new Map(
      Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => [`${method.toUpperCase()} ${openApiPath(path)}`, op])),
    );
    const routes = registeredRoutes(t.app).filter((r) => !excluded(r));
    expect(routes.length).toBeGreaterThan(20);
    const missing = routes.filter((r) => {
      const [method, path] = r.split(' ');
      return !documented.has(`${method} ${openApiPath(path!)}`);
    });
    expect(missing).toEqual([]);
    for (const [route, op] of documented) {
      expect(op.tags?.length, route).toBeGreaterThan(0);
      expect(op.summary, route).toBeTruthy();
    }
  });

  it('declares the OAuth 2.0 client-credentials flow with every API scope, and the session cookie', () => {
    const { oauth2, session } = doc.components.securitySchemes;
    expect(oauth2.flows.clientCredentials.tokenUrl).toBe('/oauth/token');
    expect(Object.keys(oauth2.flows.clientCredentials.scopes).sort()).toEqual(Object.keys(apiScopes).sort());
    expect(session).toEqual({ type: 'apiKey', in: 'cookie', name: 'shirube_session' });
    expect((doc.paths['/api/admin/users'] as any).get.security).toEqual([{ oauth2: ['case:admin'] }, { session: [] }]);
  });

  it('is served as interactive documentation at /api/docs', async () => {
    const page = await t.app.inject({ url: '/api/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('Swagger UI');
    const json = await t.app.inject({ url: '/api/docs/json' });
    expect(json.json().paths).toEqual(doc.paths);
  });
});
