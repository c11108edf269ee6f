import { ShirubeError } from '../errors.js';

/** `--server` and its credentials, for commands that talk to a running server instead of opening the database. */
export interface ServerOptions {
  server?: string;
  token?: string;
  serverClientId?: string;
  serverClientSecret?: string;
}

/** A fetch whose network failure is an input error naming the server (exit 2), not a crash. */
export async function request(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (e) {
    throw new ShirubeError('bad_gateway', `--server: cannot reach ${new URL(url).origin} (${(e as Error & { cause?: Error }).cause?.message ?? (e as Error).message})`, 'server');
  }
}

/** The bearer token: --token, or one from /oauth/token with the client's credentials (client credentials grant). */
export async function serverToken(server: string, opts: ServerOptions, scope: string): Promise<string> {
  if (opts.token) return opts.token;
  if (!opts.serverClientId || !opts.serverClientSecret) {
    throw new ShirubeError('invalid_request', `--server: give --token, or --server-client-id and --server-client-secret (an API client with ${scope})`, 'server');
  }
  const res = await request(`${server}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: opts.serverClientId, client_secret: opts.serverClientSecret }),
  });
  const body = (await res.json().catch(() => ({}))) as { access_token?: string; error_description?: string };
  if (!res.ok || !body.access_token) throw new ShirubeError('unauthorized', `--server-client-id: ${server}/oauth/token refused: ${body.error_description ?? res.status}`, 'server-client-id');
  return body.access_token;
}

/** The server's base URL without a trailing slash, or an input error. */
export function serverUrl(url: string): string {
  const server = url.replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s]+$/.test(server)) throw new ShirubeError('invalid_request', `--server: not an http(s) URL: ${url}`, 'server');
  return server;
}
