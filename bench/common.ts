// What the bench programs share: latency percentiles, a pool of concurrent clients, drill statements.
import { randomUUID } from 'node:crypto';

export const COS = 'https://w3id.org/japan-xapi/extensions/course-of-study-code';
export const HOME = 'https://idp.example.jp';

export const logger = (name: string) => (msg: string) => process.stderr.write(`[${name}] ${new Date().toISOString().slice(11, 19)} ${msg}\n`);

export function percentiles(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p: number) => Math.round((s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0) * 100) / 100;
  return { p50: at(50), p95: at(95), p99: at(99), max: at(100) };
}

/** Runs `total` jobs on `concurrency` workers; returns the wall time and each job's latency. */
export async function pool(concurrency: number, total: number, job: (i: number) => Promise<void>) {
  let next = 0;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        await job(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, latencies };
}

export interface DrillShape {
  /** Course of Study Codes; question q assesses codes[q % codes.length]. */
  codes: string[];
  learners: number;
  activities: number;
  sets: number;
  /** The statement's timestamp. */
  timestamp: () => string;
}

/** A drill answer of the Japan xAPI profile's shape: a Course of Study Code, a score, a set as grouping. */
export function drillStatement(d: DrillShape) {
  // A question assesses one item: its Course of Study Code is fixed.
  const question = Math.floor(Math.random() * d.activities);
  return {
    id: randomUUID(),
    actor: { objectType: 'Agent', account: { homePage: HOME, name: `s${Math.floor(Math.random() * d.learners)}` } },
    verb: { id: 'http://adlnet.gov/expapi/verbs/answered', display: { en: 'answered' } },
    object: {
      objectType: 'Activity',
      id: `https://drill.example.jp/q/${question}`,
      definition: { type: 'http://adlnet.gov/expapi/activities/cmi.interaction', extensions: { [COS]: [d.codes[question % d.codes.length]!] } },
    },
    result: { score: { scaled: Math.round(Math.random() * 100) / 100, raw: 1, max: 1 }, response: 'b', duration: 'PT12S' },
    context: { platform: 'bench', language: 'ja-JP', contextActivities: { grouping: [{ id: `https://drill.example.jp/sets/${Math.floor(Math.random() * d.sets)}` }] } },
    timestamp: d.timestamp(),
  };
}
