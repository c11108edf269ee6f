import type { FastifyServerOptions } from 'fastify';

/**
 * pino options: request bodies, query strings (xAPI `agent=`) and credentials never reach the log.
 * Requests are logged by method, route and status only.
 */
export function loggerOptions(level: string, format: 'pretty' | 'json' = 'json'): FastifyServerOptions['logger'] {
  return {
    level,
    // Readable lines for a person at a terminal; JSON (one object a line) for a log collector in production.
    ...(format === 'pretty' && level !== 'silent' ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', singleLine: true } } } : {}),
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
      censor: '[redacted]',
    },
    serializers: {
      req: (req: { method: string; routeOptions?: { url?: string }; url: string; id: string }) => ({
        id: req.id,
        method: req.method,
        route: req.routeOptions?.url ?? req.url.split('?')[0],
      }),
    },
  };
}
