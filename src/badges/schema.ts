import { Ajv2019 } from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import { ob3Asset } from './document-loader.js';

const ajv = new Ajv2019({ strict: false, allErrors: false });
addFormats.default(ajv);
const validateCredential = ajv.compile(ob3Asset('schema/ob_v3p0_achievementcredential_schema.json'));

/**
 * Checks a credential against 1EdTech's OB 3.0 AchievementCredential JSON Schema. That schema wants `proof` as an
 * array while JSON-LD compaction (and many issuers) write one object: a lone proof is wrapped first (NOTES.md §4).
 * Returns null when valid, else the first error as `path: message`.
 */
export function schemaError(credential: Record<string, unknown>): string | null {
  const copy = { ...credential };
  if (copy['proof'] && !Array.isArray(copy['proof'])) copy['proof'] = [copy['proof']];
  if (validateCredential(copy)) return null;
  const e = validateCredential.errors?.[0];
  return e ? `${e.instancePath || '/'} ${e.message ?? 'is invalid'}` : 'does not match the schema';
}
