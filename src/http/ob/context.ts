import type { FastifyInstance } from 'fastify';
import { loadSecretKey, remoteFetcher, type BadgeContext, type RemoteFetcher, type SecretKey } from '../../badges/index.js';

const secrets = new WeakMap<FastifyInstance['config'], SecretKey>();
// One per server: its cache of fetched DID documents, keys and status lists.
const fetchers = new WeakMap<FastifyInstance['config'], RemoteFetcher>();

/** The server's secret key (SHIRUBE_SECRET_KEY, or its file), read or created on first use only. */
export function secretKeyOf(app: FastifyInstance): SecretKey {
  let secret = secrets.get(app.config);
  if (!secret) {
    secret = loadSecretKey({ secretKey: app.config.secretKey, dataDir: app.config.dataDir });
    secrets.set(app.config, secret);
  }
  return secret;
}

/** The badge domain's context for this server. */
export function badgeContext(app: FastifyInstance): BadgeContext {
  const secret = secretKeyOf(app);
  let remote = fetchers.get(app.config);
  if (!remote && app.config.verifyFetch) {
    remote = remoteFetcher({ allowHosts: app.config.verifyAllowHosts });
    fetchers.set(app.config, remote);
  }
  return { db: app.store.db, publicUrl: app.config.publicUrl, secret, ...(remote ? { remote } : {}) };
}
