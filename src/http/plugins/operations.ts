import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { sql } from 'kysely';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { asRequestError, isDatabaseUnavailable, isShirubeError, RETRY_AFTER_SECONDS } from '../../errors.js';

const READY_TIMEOUT_MS = 2_000;
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
/** JSON answers of these APIs carry personal or session-bound data: never kept by a browser or a shared cache. */
const NO_STORE = /^\/(api|xapi|oauth|ims\/ob)(\/|$)/;

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * What operators need from every instance: `/health` (the process answers), `/ready` (it can reach its database:
 * a load balancer sends traffic only then), Prometheus `/metrics` (requests by route and status, latency, the
 * process), and the security headers of every answer (docs/operations.md).
 */
async function operations(app: FastifyInstance) {
  const register = new Registry();
  collectDefaultMetrics({ register });
  const requests = new Counter({ name: 'shirube_http_requests_total', help: 'HTTP requests answered, by method, route template and status', labelNames: ['method', 'route', 'status'] as const, registers: [register] });
  const staleness = app.store.replicaStaleness;
  if (staleness) {
    new Gauge({
      name: 'shirube_read_replica_staleness_seconds',
      help: 'How far the read replica may be behind (Inf: unreachable or never caught up); past DATABASE_READ_MAX_LAG_SECONDS reads go to the primary',
      registers: [register],
      collect() {
        this.set(staleness());
      },
    });
  }
  const duration = new Histogram({
    name: 'shirube_http_request_duration_seconds', help: 'Time to answer an HTTP request, by method and route template', labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [register],
  });
  const hsts = app.config.publicUrl.startsWith('https://');

  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    if (hsts) reply.header('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    const type = String(reply.getHeader('content-type') ?? '');
    if (!reply.hasHeader('cache-control') && type.includes('json') && NO_STORE.test(req.url)) reply.header('Cache-Control', 'no-store');
    return payload;
  });
  app.addHook('onResponse', async (req, reply) => {
    // The route template, never the URL: ids and query strings would be personal data and unbounded labels.
    const route = req.routeOptions.url ?? 'unmatched';
    requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    duration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });

  // A database that does not answer (PostgreSQL restarting, failing over) is a 503 telling the client when to try
  // again, in every API's own format (each maps `unavailable`); here the header, and the answer outside the APIs
  // (the web UI's files and pages, whose session look-up needs the database).
  app.addHook('onError', async (_req, reply, err) => {
    if (isDatabaseUnavailable(err)) reply.header('Retry-After', String(RETRY_AFTER_SECONDS));
  });
  app.setErrorHandler((err, req, reply) => {
    const e = asRequestError(err);
    if (!isShirubeError(e) || e.code !== 'unavailable') throw err;
    req.log.warn({ err }, 'The database does not answer');
    return reply.code(503).send({ statusCode: 503, error: 'Service Unavailable', message: e.message });
  });

  const tags = ['Operations'];
  app.get('/health', { schema: { tags, summary: 'Liveness: the process answers (200)' } }, async () => ({ status: 'ok' }));

  app.get('/ready', { schema: { tags, summary: 'Readiness: the database answers within 2 s (200), else 503 with Retry-After' } }, async (req, reply) => {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        sql`select 1`.execute(app.store.db),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), READY_TIMEOUT_MS))),
      ]);
      return { status: 'ready' };
    } catch (e) {
      req.log.warn({ err: e }, 'Not ready: the database does not answer');
      return reply.code(503).header('Retry-After', String(RETRY_AFTER_SECONDS)).send({ status: 'unavailable', message: 'The database does not answer; try again shortly' });
    } finally {
      clearTimeout(timer);
    }
  });

  app.get('/metrics', { config: { ownAuthorization: true }, schema: { tags, summary: 'Prometheus metrics (Bearer SHIRUBE_METRICS_TOKEN; without one configured, loopback callers only)' } }, async (req: FastifyRequest, reply: FastifyReply) => {
    const token = app.config.metricsToken;
    if (token) {
      const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!given || !same(given, token)) return reply.code(401).header('WWW-Authenticate', 'Bearer').send({ error: 'unauthorized', message: 'GET /metrics needs Authorization: Bearer <SHIRUBE_METRICS_TOKEN>' });
    } else if (!LOOPBACK.has(req.ip)) {
      return reply.code(403).send({ error: 'forbidden', message: 'Set SHIRUBE_METRICS_TOKEN to scrape /metrics from another host (docs/operations.md)' });
    }
    return reply.type(register.contentType).send(await register.metrics());
  });
}

export default fp(operations, { name: 'operations' });
