import { createHash } from 'node:crypto';
import { isObject, type Json } from './validate.js';

/**
 * The inverse functional identifier of an Agent or identified Group as one string ('mbox:mailto:a@b.jp',
 * 'account:<homePage> <name>'); undefined for an anonymous Group.
 */
export function ifiOf(agent: Json): string | undefined {
  if (typeof agent['mbox'] === 'string') return `mbox:${agent['mbox']}`;
  if (typeof agent['mbox_sha1sum'] === 'string') return `mbox_sha1sum:${agent['mbox_sha1sum'].toLowerCase()}`;
  if (typeof agent['openid'] === 'string') return `openid:${agent['openid']}`;
  const acc = agent['account'];
  if (isObject(acc)) return `account:${String(acc['homePage'])} ${String(acc['name'])}`;
  return undefined;
}

/** The Agent object of an IFI string (the inverse of ifiOf). */
export function agentOfIfi(ifi: string): Json {
  const i = ifi.indexOf(':');
  const kind = ifi.slice(0, i);
  const value = ifi.slice(i + 1);
  if (kind === 'account') {
    const sp = value.lastIndexOf(' ');
    return { account: { homePage: value.slice(0, sp), name: value.slice(sp + 1) } };
  }
  return { [kind]: value };
}

/** An Agent's identifiers with the SHA-1 of its mbox, so that mbox and mbox_sha1sum name the same person. */
export function mboxSha1(mbox: string): string {
  return createHash('sha1').update(mbox).digest('hex');
}

type Usage = { ifi: string; usage: string };

/** The IFIs of an Agent or Group and of a Group's members, with this usage. */
function agentUsages(a: unknown, usage: string, out: Usage[]): void {
  if (!isObject(a)) return;
  const ifi = ifiOf(a);
  if (ifi) out.push({ ifi, usage });
  if (!Array.isArray(a['member'])) return;
  for (const m of a['member']) {
    const mi = isObject(m) ? ifiOf(m) : undefined;
    if (mi) out.push({ ifi: mi, usage });
  }
}

function contextUsages(ctx: unknown, prefix: string, out: Usage[]): void {
  if (!isObject(ctx)) return;
  agentUsages(ctx['instructor'], `${prefix}instructor`, out);
  agentUsages(ctx['team'], `${prefix}team`, out);
  for (const list of [ctx['contextAgents'], ctx['contextGroups']]) {
    if (!Array.isArray(list)) continue;
    for (const e of list) if (isObject(e)) agentUsages(e['agent'] ?? e['group'], `${prefix}context`, out);
  }
}

/** Every Agent and Group of a statement, for agent= (actor, object) and related_agents= queries. */
export function statementActors(s: Json): Usage[] {
  const out: Usage[] = [];
  agentUsages(s['actor'], 'actor', out);
  const o = s['object'] as Json;
  if (o['objectType'] === 'Agent' || o['objectType'] === 'Group') agentUsages(o, 'object', out);
  agentUsages(s['authority'], 'authority', out);
  contextUsages(s['context'], '', out);
  if (o['objectType'] === 'SubStatement') {
    agentUsages(o['actor'], 'sub_actor', out);
    const so = o['object'] as Json;
    if (so['objectType'] === 'Agent' || so['objectType'] === 'Group') agentUsages(so, 'sub_object', out);
    contextUsages(o['context'], 'sub_', out);
  }
  return dedupe(out, (u) => `${u.ifi}\u0000${u.usage}`);
}

function contextActivityUsages(ctx: unknown, prefix: string, out: Array<{ activityId: string; usage: string }>): void {
  if (!isObject(ctx) || !isObject(ctx['contextActivities'])) return;
  for (const [k, list] of Object.entries(ctx['contextActivities'])) {
    if (Array.isArray(list)) for (const a of list) if (isObject(a)) out.push({ activityId: String(a['id']), usage: `${prefix}${k}` });
  }
}

const isActivity = (o: Json) => o['objectType'] === undefined || o['objectType'] === 'Activity';

/** Every Activity of a statement, for activity= (object) and related_activities= queries. */
export function statementActivities(s: Json): Array<{ activityId: string; usage: string }> {
  const out: Array<{ activityId: string; usage: string }> = [];
  const o = s['object'] as Json;
  if (isActivity(o)) out.push({ activityId: String(o['id']), usage: 'object' });
  contextActivityUsages(s['context'], '', out);
  if (o['objectType'] === 'SubStatement') {
    const so = o['object'] as Json;
    if (isActivity(so)) out.push({ activityId: String(so['id']), usage: 'sub_object' });
    contextActivityUsages(o['context'], 'sub_', out);
  }
  return dedupe(out, (u) => `${u.activityId}\u0000${u.usage}`);
}

/** Every Activity object of a statement with its definition, for the Activities resource. */
export function activityObjects(s: Json): Json[] {
  const out: Json[] = [];
  const visit = (stmt: Json) => {
    const o = stmt['object'] as Json;
    if (isActivity(o)) out.push(o);
    const ctx = stmt['context'];
    if (isObject(ctx) && isObject(ctx['contextActivities'])) {
      for (const list of Object.values(ctx['contextActivities'])) if (Array.isArray(list)) for (const a of list) if (isObject(a)) out.push(a);
    }
    if (o['objectType'] === 'SubStatement') visit(o);
  };
  visit(s);
  return out;
}

function dedupe<T>(xs: T[], key: (x: T) => string): T[] {
  const seen = new Set<string>();
  return xs.filter((x) => {
    const k = key(x);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
