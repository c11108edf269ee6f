import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, type TestApp } from '../helper.js';
import { ensureDemoFramework } from '../../src/case/demo.js';
import { COURSE_OF_STUDY_CODE } from '../../src/lrs/index.js';
import { DEMO_CLASS, MATH_2017_DOCUMENT, ensureDemoPrecedes, frameworkStructure, simLearners, simulate, DEFAULT_SIMULATION } from '../../src/progress/index.js';
import { runDemo } from '../../src/cli/demo.js';
import { createSession } from '../../src/auth/index.js';
import { findUserByUsername } from '../../src/store/auth.js';

let t: TestApp;
beforeAll(async () => {
  t = await build();
  await ensureDemoFramework(t.store.db, () => {});
  await ensureDemoPrecedes(t.store.db, t.config.publicUrl);
}, 60_000);
afterAll(() => t.close());

const agents = Array.from({ length: 12 }, (_, i) => ({ objectType: 'Agent', account: { homePage: 'https://school.example', name: `s${i}` } }));

describe('drill simulator', () => {
  it('is deterministic for a seed and speaks the Japan xAPI profile (answered, Course of Study Code)', async () => {
    const s = await frameworkStructure(t.store.db, MATH_2017_DOCUMENT);
    const run = () => [...simulate(s, simLearners(agents, 7), { ...DEFAULT_SIMULATION, seed: 7, days: 40 })].flat();
    const a = run();
    expect(a.map((x) => x['id'])).toEqual(run().map((x) => x['id']));
    const first = a[0] as any;
    expect(first.verb.id).toBe('http://adlnet.gov/expapi/verbs/answered');
    const code = first.object.definition.extensions[COURSE_OF_STUDY_CODE][0];
    expect(s.items.some((i) => i.code === code)).toBe(true);
    expect(first.result).toMatchObject({ success: expect.any(Boolean), score: { min: 0, max: 1 } });
    const times = a.map((x) => Date.parse(x['timestamp'] as string));
    expect([...times].sort((x, y) => x - y)[0]).toBe(Math.min(...times));
  });

  it('makes correct answers likelier when the prerequisites are known: able learners do better', async () => {
    const s = await frameworkStructure(t.store.db, MATH_2017_DOCUMENT);
    const learners = simLearners(agents, 11);
    const all = [...simulate(s, learners, { ...DEFAULT_SIMULATION, seed: 11, days: 120 })].flat() as any[];
    const rate = (pred: (ability: number) => boolean) => {
      const names = new Set(learners.filter((l) => pred(l.ability)).map((l) => (l.agent as any).account.name));
      const mine = all.filter((x) => names.has(x.actor.account.name));
      return mine.filter((x) => x.result.success).length / mine.length;
    };
    expect(rate((a) => a > 0.5)).toBeGreaterThan(rate((a) => a < -0.5) + 0.1);
  });

  it('runDemo seeds the class and posts through the listening server’s /xapi; the map shows it', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (t.app.server.address() as { port: number }).port;
    const r = await runDemo(t.store.db, t.config, `http://127.0.0.1:${port}`, { simulation: { days: 2 }, passwords: false });
    expect(r.statements).toBeGreaterThan(300);
    const teacher = (await findUserByUsername(t.store.db, 'teacher'))!;
    const s = await createSession(t.store.db, teacher.id);
    const h = (await t.app.inject({ url: `/api/progress/classes/${DEMO_CLASS}/heatmap?framework=${MATH_2017_DOCUMENT}&grade=3`, headers: { cookie: `shirube_session=${s.token}` } })).json();
    expect(h.learners).toHaveLength(35);
    const started = h.cells.flat().filter((c: { state: string }) => c.state !== 'not_started').length;
    expect(started).toBeGreaterThan(35 * 5); // the April readiness check starts on grade 3
  }, 120_000);
});
