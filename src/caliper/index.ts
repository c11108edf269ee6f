import type { Db } from '../store/db.js';
import { ShirubeError, isShirubeError } from '../errors.js';
import { storeStatements, type Json, type WriteOptions } from '../lrs/index.js';
import { rosterStudentAccounts } from '../progress/index.js';
import { ACCEPTED_ACTIONS, CALIPER_V1P2, schemaError, type AcceptedEventType } from './schema.js';
import { learnerOfEvent, sourcedIdsOf, statementOfEvent } from './translate.js';

export { CALIPER_V1P2, ACCEPTED_ACTIONS } from './schema.js';
export { CALIPER_EVENT_EXTENSION_PATH } from './translate.js';

/** An envelope of a Caliper version this endpoint does not read (Caliper 1.2 §6.1: 422, not 400). */
export class UnsupportedDataVersion extends ShirubeError {
  constructor(version: string) {
    super('invalid_request', `dataVersion: ${version} is not supported; send ${CALIPER_V1P2}`, 'dataVersion');
  }
}

const bad = (field: string, message: string) => new ShirubeError('invalid_request', `${field}: ${message}`, field);
const accepted = Object.keys(ACCEPTED_ACTIONS).join(', ');

/**
 * Accepts a Caliper 1.2 Envelope (§5.2): validates it and every event and entity in `data`, and stores each accepted
 * event as an xAPI statement through the LRS (src/lrs: same validation, learners, evidence, mastery and badge
 * candidates, in one transaction; all or nothing). Entity describes are validated and not kept. Returns how many
 * events and entities the envelope held and the statement ids, in order.
 */
export async function acceptEnvelope(db: Db, envelope: unknown, o: WriteOptions): Promise<{ events: number; entities: number; statementIds: string[] }> {
  const e = schemaError('envelope', envelope, '');
  if (e) throw bad(e.field, e.message);
  const env = envelope as Json;
  if (env['dataVersion'] !== CALIPER_V1P2) throw new UnsupportedDataVersion(String(env['dataVersion']));
  const events: Array<{ event: Json; field: string; index: number }> = [];
  let entities = 0;
  (env['data'] as Json[]).forEach((item, i) => {
    const field = `data.${i}`;
    const type = item['type'];
    // Events are the objects with an action (an entity has none) or an event type.
    if (typeof type === 'string' && (type.endsWith('Event') || 'action' in item)) {
      if (!(type in ACCEPTED_ACTIONS)) throw bad(`${field}.type`, `${type} is not accepted here (${accepted} are)`);
      const err = schemaError(type as AcceptedEventType, item, field);
      if (err) throw bad(err.field, err.message);
      events.push({ event: item, field, index: i });
      return;
    }
    const err = schemaError('entity', item, field);
    if (err) throw bad(err.field, err.message);
    entities++;
  });
  if (!events.length) return { events: 0, entities, statementIds: [] };
  const roster = await rosterStudentAccounts(db, o.publicUrl, events.flatMap((e) => sourcedIdsOf(learnerOfEvent(e.event))));
  const statements = events.map((e) => statementOfEvent(e.event, e.field, o.publicUrl, roster));
  const from = events.map((e) => e.index);
  try {
    const statementIds = await storeStatements(db, statements, [], { ...o, version: '2.0.0' });
    return { events: statements.length, entities, statementIds };
  } catch (err) {
    throw asEventError(err, from);
  }
}

/** An LRS refusal of a translated statement, named by the event it came from (`statements.3.…` → `data.5`). */
function asEventError(err: unknown, from: number[]): unknown {
  if (!isShirubeError(err) || err.code !== 'invalid_request' || !err.field) return err;
  const m = /^statements?(?:\.(\d+))?(?:\..*)?$/.exec(err.field);
  if (!m) return err;
  const i = from[m[1] === undefined ? 0 : Number(m[1])];
  const field = `data.${i}`;
  return new ShirubeError('invalid_request', `${field}: the event cannot be stored as an xAPI statement (${err.message})`, field);
}
