import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, type TestApp } from '../helper.js';
import { ensureShippedFrameworks } from '../../src/case/demo.js';
import { COURSE_OF_STUDY_CODE } from '../../src/lrs/index.js';
import { DEMO_CLASS, MATH_2017_DOCUMENT, SCIENCE_2017_DOCUMENT, demoSubjects, ensureDemoPrecedes, frameworkStructure, simLearners, simulate, simulateClass, DEFAULT_SIMULATION } from '../../src/progress/index.js';
import { runDemo } from '../../src/cli/demo.js';
import { createSession } from '../../src/auth/index.js';
import { findUserByUsername } from '../../src/store/auth.js';

let t: TestApp;
beforeAll(async () => {
  t = await build();
  expect(await ensureShippedFrameworks(t.store.db, () => {})).toEqual([MATH_2017_DOCUMENT, SCIENCE_2017_DOCUMENT]);
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

  it('simulates 理科 for the same class: grade-4 理科 items of the framework in Course of Study order, grade-3 readiness in April, after 算数 each day', async () => {
    const [math, science] = await demoSubjects(t.store.db, { ...DEFAULT_SIMULATION, seed: 5, days: 200 });
    expect(science!.structure.identifier).toBe(SCIENCE_2017_DOCUMENT);
    expect(science!.structure.graph.prerequisitesOf(science!.structure.items[0]!.id)).toEqual([]); // no 理科 precedes set
    const learners = simLearners(agents, 5);
    const run = () => [...simulateClass([math!, science!], learners)].flat() as any[];
    const all = run();
    expect(all.map((x) => x.id)).toEqual(run().map((x) => x.id));
    expect(new Set(all.map((x) => x.id)).size).toBe(all.length);
    const codeOf = (x: any) => x.object.definition.extensions[COURSE_OF_STUDY_CODE][0] as string;
    // Real 理科 codes, read from the framework: the 17 grade-4 content items all taught, grade 3 reviewed, nothing else.
    const sci = new Map(science!.structure.items.map((i) => [i.code, i]));
    const mine = all.filter((x) => sci.has(codeOf(x)));
    const grades = (list: any[]) => new Set(list.map((x) => sci.get(codeOf(x))!.grade));
    expect(grades(mine)).toEqual(new Set(['3', '4']));
    const grade4 = science!.structure.items.filter((i) => i.grade === '4').map((i) => i.code);
    expect(grade4.length).toBeGreaterThan(10);
    expect(new Set(mine.map(codeOf).filter((c) => sci.get(c)!.grade === '4'))).toEqual(new Set(grade4));
    // Taught in Course of Study order: each grade-4 item first met (over the class) after the one before it.
    const firstDay = (code: string) => Math.min(...mine.filter((x) => codeOf(x) === code && sci.get(code)!.grade === '4').map((x) => Date.parse(x.timestamp)));
    const firsts = grade4.map(firstDay);
    expect([...firsts].sort((a, b) => a - b)).toEqual(firsts);
    // April: every grade-3 理科 item in the readiness check of the first two weeks.
    const april = mine.filter((x) => x.timestamp < '2025-04-25');
    const grade3 = science!.structure.items.filter((i) => i.grade === '3').map((i) => i.code);
    expect(new Set(april.map(codeOf).filter((c) => sci.get(c)!.grade === '3'))).toEqual(new Set(grade3));
    // The same template as 算数, in the afternoon (13:00 JST); 算数 itself is what it was without 理科.
    expect(mine[0]).toMatchObject({ verb: { id: 'http://adlnet.gov/expapi/verbs/answered' }, object: { definition: { type: 'http://adlnet.gov/expapi/activities/cmi.interaction' } }, result: { score: { min: 0, max: 1 } } });
    expect(new Date(mine[0].timestamp).getUTCHours()).toBe(4);
    const mathOnly = [...simulate(math!.structure, learners, math!.options)].flat();
    expect(all.filter((x) => !sci.has(codeOf(x))).map((x) => x.id)).toEqual(mathOnly.map((x) => x['id']));
    // Interleaved day by day: time order holds over the whole sequence.
    const times = all.map((x) => Date.parse(x.timestamp));
    expect(times.every((v, i) => i === 0 || v >= times[i - 1]! - 3600_000)).toBe(true);
    const days = (list: any[]) => [...new Set(list.map((x) => x.timestamp.slice(0, 10)))];
    expect(days(all)).toEqual([...days(all)].sort());
    expect(mine.length).toBeGreaterThan(1000);
    expect(mine.length).toBeLessThan(mathOnly.length);
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
    // The same class on the 理科 map: its teacher sees the grade-3 理科 readiness check too.
    expect(r.bySubject.map((x) => x.framework)).toEqual([MATH_2017_DOCUMENT, SCIENCE_2017_DOCUMENT]);
    expect(r.bySubject[1]!.statements).toBeGreaterThan(0);
    expect(r.bySubject[0]!.statements + r.bySubject[1]!.statements).toBe(r.statements);
    const sh = (await t.app.inject({ url: `/api/progress/classes/${DEMO_CLASS}/heatmap?framework=${SCIENCE_2017_DOCUMENT}&grade=3`, headers: { cookie: `shirube_session=${s.token}` } })).json();
    expect(sh.learners).toHaveLength(35);
    expect(sh.cells.flat().filter((c: { state: string }) => c.state !== 'not_started').length).toBeGreaterThanOrEqual(35 * 3);
  }, 120_000);
});
