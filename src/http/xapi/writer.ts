import type { Config } from '../../config.js';
import type { Principal } from '../../auth/index.js';
import { FirstSeen, ItemCache, WriteGate, type WriteOptions, type XapiVersion } from '../../lrs/index.js';
import { RulesCache } from '../../progress/index.js';
import { evidenceHook } from '../../badges/index.js';
import { authorityOf } from './access.js';

/** How one server writes statements, whichever API they come through (xAPI, Caliper): its options for a request. */
export type StatementWriter = (version: XapiVersion, principal: Principal) => WriteOptions;

/**
 * The server's statement writer: one item cache, rules cache, first-seen set and write gate per server, shared by
 * every API that stores statements, so that SHIRUBE_LRS_WRITERS bounds all of them together.
 */
export function statementWriter(config: Config): StatementWriter {
  const items = new ItemCache();
  const rules = new RulesCache();
  const seen = new FirstSeen();
  const gate = new WriteGate(config.lrsWriters);
  return (version, principal) => ({
    version,
    writer: authorityOf(principal, config.publicUrl),
    publicUrl: config.publicUrl,
    timeZone: config.timeZone,
    items,
    seen,
    gate,
    onEvidence: evidenceHook(config.timeZone, rules),
  });
}
