import type { FastifyInstance } from 'fastify';
import { loadSecretKey, type BadgeContext, type SecretKey } from '../../badges/index.js';

const secrets = new WeakMap<FastifyInstance['config'], SecretKey>();

/** The badge domain's context for this server; the secret key is read (or its file created) on first use only. */
export function badgeContext(app: FastifyInstance): BadgeContext {
  let secret = secrets.get(app.config);
  if (!secret) {
    secret = loadSecretKey({ secretKey: app.config.secretKey, dataDir: app.config.dataDir });
    secrets.set(app.config, secret);
  }
  return { db: app.store.db, publicUrl: app.config.publicUrl, secret };
}
