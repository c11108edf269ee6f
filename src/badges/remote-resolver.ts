import { lookup as dnsLookup } from 'node:dns/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { ShirubeError } from '../errors.js';
import { didWebDocumentUrl } from './issuers.js';
import { isObj, type Obj, type Resolve } from './verify-proof.js';

/**
 * What a verifier fetches from other hosts (docs/badges.md "Verification"): DID documents (did:web), verification
 * methods and their controller documents, status lists, 1EdTech revocation lists and OB 2.0 hosted documents. Never
 * JSON-LD contexts (verificationLoader refuses them). It runs on a public endpoint, so every request is bounded:
 * HTTPS only, no private or loopback addresses (checked, then connected to, so DNS cannot change its answer in
 * between), a timeout, a size cap, JSON only, few requests per verification, redirects checked like the first URL.
 */

export interface FetchLimits {
  timeoutMs: number;
  maxBytes: number;
  /** Requests one verification may make (cache hits do not count). */
  maxFetches: number;
  maxRedirects: number;
  cacheTtlMs: number;
  cacheSize: number;
}

export const DEFAULT_LIMITS: FetchLimits = { timeoutMs: 5000, maxBytes: 256 * 1024, maxFetches: 10, maxRedirects: 2, cacheTtlMs: 5 * 60_000, cacheSize: 500 };

export interface RemoteFetcherOptions extends Partial<FetchLimits> {
  /** `host` or `host:port` entries that may be private addresses and plain HTTP (development and tests). */
  allowHosts?: readonly string[];
  /** The name lookup (tests give names private addresses without a DNS server). */
  lookup?: (hostname: string) => Promise<Array<{ address: string; family: number }>>;
}

export interface RemoteFetcher {
  /** The resolver of one verification: its own request budget, the fetcher's cache. */
  resolver(): Resolve;
}

// Addresses no verification may reach: loopback, private, shared, link-local, ULA, multicast, reserved, documentation.
const blocked = new BlockList();
for (const [net, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4]] as const) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [['::', 127], ['64:ff9b::', 96], ['100::', 64], ['2001:db8::', 32], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) blocked.addSubnet(net, prefix, 'ipv6');

/** Whether an address is one verification must not reach (an IPv4-mapped IPv6 address is judged as IPv4). */
export function isBlockedAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return blocked.check(mapped[1]!, 'ipv4');
  return isIP(address) === 6 ? blocked.check(address, 'ipv6') : blocked.check(address, 'ipv4');
}

const JSON_TYPE = /^application\/([a-z0-9.+-]+\+)?json$/i;

class FetchError extends ShirubeError {
  constructor(url: string, why: string) {
    super('invalid_request', `Could not fetch ${url}: ${why}`);
  }
}

const TIMEOUT = Symbol('timeout');
/** The promise, or TIMEOUT thrown after `ms` (a name lookup is not bounded by the request's own deadline). */
function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(TIMEOUT), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

interface Cached {
  doc: Obj;
  until: number;
}

/** How long a response may be kept: its Cache-Control, within the fetcher's TTL (no-cache, no-store: not at all). */
function ttlOf(cacheControl: string | undefined, max: number): number {
  const cc = (cacheControl ?? '').toLowerCase();
  if (/\b(no-cache|no-store|private)\b/.test(cc)) return 0;
  const age = /\bmax-age=(\d+)/.exec(cc);
  return age ? Math.min(Number(age[1]) * 1000, max) : max;
}

/** The URL a DID or a URL is fetched at, and the id to pick from the document fetched (a DID URL's method). */
function target(url: string, allowed: (host: string) => boolean): { fetchUrl: string; did?: string; pick?: string } {
  const [base, fragment] = url.split('#');
  if (url.startsWith('did:web:')) {
    const host = decodeURIComponent(base!.split(':')[2] ?? '');
    return { fetchUrl: didWebDocumentUrl(base!, allowed(host) ? 'http' : 'https'), did: base!, ...(fragment !== undefined ? { pick: url } : {}) };
  }
  if (/^https?:\/\//i.test(url)) return { fetchUrl: base!, ...(fragment !== undefined ? { pick: url } : {}) };
  throw new ShirubeError('invalid_request', `Cannot resolve ${url}: Shirube fetches did:web and HTTPS URLs (did:key needs no fetching)`);
}

export function remoteFetcher(o: RemoteFetcherOptions = {}): RemoteFetcher {
  const limits: FetchLimits = { ...DEFAULT_LIMITS, ...Object.fromEntries(Object.entries(o).filter(([k, v]) => k in DEFAULT_LIMITS && v !== undefined)) };
  const allowHosts = new Set((o.allowHosts ?? []).map((h) => h.trim().toLowerCase()).filter(Boolean));
  const nameLookup = o.lookup ?? ((host: string) => dnsLookup(host, { all: true, verbatim: true }));
  const cache = new Map<string, Cached>();
  // `host` is URL.host: the name (IPv6 in brackets) and the port when not the scheme's default.
  const allowed = (host: string) => allowHosts.has(host.toLowerCase()) || allowHosts.has(host.toLowerCase().replace(/:\d+$/, ''));

  /** The address to connect to, once checked; refused before any request is made. */
  async function address(url: URL): Promise<{ address: string; family: number }> {
    const name = url.hostname.replace(/^\[|\]$/g, '');
    let found: Array<{ address: string; family: number }>;
    try {
      found = isIP(name) ? [{ address: name, family: isIP(name) }] : await withDeadline(nameLookup(name), limits.timeoutMs);
    } catch (e) {
      if (e === TIMEOUT) throw new FetchError(url.href, `the host name did not resolve within ${limits.timeoutMs} ms (timeout)`);
      throw new FetchError(url.href, `the host name does not resolve (${(e as { code?: string }).code ?? 'DNS error'})`);
    }
    if (!found.length) throw new FetchError(url.href, 'the host name does not resolve');
    if (!allowed(url.host)) {
      const bad = found.find((a) => isBlockedAddress(a.address));
      if (bad) throw new FetchError(url.href, `${url.hostname} is a private, loopback or reserved address (${bad.address}); Shirube only fetches from public hosts (or those in SHIRUBE_VERIFY_ALLOW_HOSTS)`);
    }
    return found[0]!;
  }

  /** One GET, to the checked address: the Location of a redirect, or the JSON document and how long to keep it. */
  async function get(url: URL): Promise<{ location?: string; doc?: Obj; ttl: number }> {
    const pinned = await address(url);
    // The connection goes to the address just checked, whatever a second lookup would say.
    const lookup = ((_host: string, opts: { all?: boolean }, cb: (...a: unknown[]) => void) =>
      opts?.all ? cb(null, [pinned]) : cb(null, pinned.address, pinned.family)) as unknown as LookupFunction;
    const client = url.protocol === 'https:' ? https : http;
    return new Promise((resolveGet, rejectGet) => {
      // One deadline for the whole exchange (connect, headers, body): a slow trickle ends there too.
      const timer = setTimeout(() => {
        req.destroy();
        reject(new FetchError(url.href, `no answer within ${limits.timeoutMs} ms (timeout)`));
      }, limits.timeoutMs);
      const resolve = (v: Awaited<ReturnType<typeof get>>) => (clearTimeout(timer), resolveGet(v));
      const reject = (e: Error) => (clearTimeout(timer), rejectGet(e));
      const req = client.request(url, { method: 'GET', lookup, agent: false, headers: { accept: 'application/json, application/did+json, application/ld+json, application/vc+ld+json' } }, (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location) {
          res.resume();
          return resolve({ location: res.headers.location, ttl: 0 });
        }
        // 410 Gone carries a document too: an OB 2.0 hosted assertion that was revoked.
        if (status !== 200 && status !== 410) {
          res.resume();
          return reject(new FetchError(url.href, `HTTP ${status}`));
        }
        const type = String(res.headers['content-type'] ?? '').split(';')[0]!.trim();
        if (!JSON_TYPE.test(type)) {
          res.resume();
          return reject(new FetchError(url.href, `not JSON (Content-Type ${type || 'none'})`));
        }
        if (Number(res.headers['content-length'] ?? 0) > limits.maxBytes) {
          req.destroy();
          return reject(new FetchError(url.href, `larger than ${limits.maxBytes} bytes`));
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > limits.maxBytes) {
            req.destroy();
            reject(new FetchError(url.href, `larger than ${limits.maxBytes} bytes`));
          } else chunks.push(c);
        });
        res.on('end', () => {
          try {
            const doc: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            if (!isObj(doc)) throw new Error('not an object');
            resolve({ doc, ttl: ttlOf(res.headers['cache-control'], limits.cacheTtlMs) });
          } catch {
            reject(new FetchError(url.href, 'the response is not a JSON object'));
          }
        });
        res.on('error', (e) => reject(new FetchError(url.href, `network error (${e.message})`)));
      });
      req.on('error', (e) => reject(new FetchError(url.href, `network error (${(e as { code?: string }).code ?? e.message})`)));
      req.end();
    });
  }

  function checkedUrl(href: string, from: string): URL {
    let url: URL;
    try {
      url = new URL(href, from);
    } catch {
      throw new FetchError(from, `not a URL: ${href}`);
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowed(url.host))) throw new FetchError(url.href, 'only HTTPS URLs are fetched');
    if (url.username || url.password) throw new FetchError(url.href, 'URLs with credentials are not fetched');
    return url;
  }

  return {
    resolver() {
      let budget = limits.maxFetches;
      /** The JSON at a URL, from the cache or fetched (following checked redirects), counted against the budget. */
      async function fetchJson(href: string): Promise<Obj> {
        const hit = cache.get(href);
        if (hit && hit.until > Date.now()) return hit.doc;
        let url = checkedUrl(href, href);
        for (let hop = 0; ; hop++) {
          if (budget-- <= 0) throw new FetchError(url.href, `a verification makes at most ${limits.maxFetches} requests`);
          const r = await get(url);
          if (r.location === undefined) {
            cache.delete(href);
            if (r.ttl > 0) {
              // Bounded: the oldest entry goes first.
              if (cache.size >= limits.cacheSize) cache.delete(cache.keys().next().value!);
              cache.set(href, { doc: r.doc!, until: Date.now() + r.ttl });
            }
            return r.doc!;
          }
          if (hop >= limits.maxRedirects) throw new FetchError(href, `more than ${limits.maxRedirects} redirects`);
          url = checkedUrl(r.location, url.href);
        }
      }

      return async (url: string) => {
        const t = target(url, allowed);
        const doc = await fetchJson(t.fetchUrl);
        // A did:web document must be the DID's own (did:web §3.2.1 Read).
        if (t.did && doc['id'] !== t.did) throw new FetchError(t.fetchUrl, `the DID document's id is ${String(doc['id'])}, not ${t.did}`);
        if (!t.pick || doc['id'] === t.pick) return doc;
        const methods = Array.isArray(doc['verificationMethod']) ? doc['verificationMethod'].filter(isObj) : [];
        const vm = methods.find((m) => m['id'] === t.pick || (typeof m['id'] === 'string' && m['id'].startsWith('#') && `${String(doc['id'])}${m['id']}` === t.pick));
        if (!vm) throw new FetchError(t.fetchUrl, `it has no verification method ${t.pick}`);
        return { '@context': doc['@context'], ...vm, id: t.pick };
      };
    },
  };
}
