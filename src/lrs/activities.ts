import type { Db } from '../store/db.js';
import * as store from '../store/lrs.js';
import { isObject, type Json } from './validate.js';

const LANGUAGE_MAPS = ['name', 'description'];

/**
 * The canonical definition after another statement's definition (Data §2.4.4.1: the LRS may update it): later
 * values win, language maps and extensions are merged.
 */
export function mergeDefinition(old: Json | null, next: Json | null): Json | null {
  if (!next) return old;
  if (!old) return next;
  const out: Json = { ...old, ...next };
  for (const k of [...LANGUAGE_MAPS, 'extensions']) {
    if (isObject(old[k]) && isObject(next[k])) out[k] = { ...old[k], ...next[k] };
  }
  return out;
}

/** The Activities resource: the canonical Activity object (an unknown id gives just the id). */
export async function getActivityObject(db: Db, activityId: string): Promise<Json> {
  const a = await store.getActivity(db, activityId);
  return { objectType: 'Activity', id: activityId, ...(a?.definition ? { definition: a.definition } : {}) };
}
