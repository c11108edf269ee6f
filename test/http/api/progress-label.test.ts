import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, session, type TestApp } from '../../helper.js';
import { MATH_2017_DOCUMENT } from '../../../src/progress/index.js';
import { answered, demoClass, post } from '../../progress/fixture.js';

/**
 * The item detail says what its label is judged on (issue 13: "C next to 80 %"): the label, the figure of its basis
 * and the thresholds agree, whichever basis the framework's teachers chose. Both databases.
 */
const CODE = '8250253121100000'; // 5年 (ア)
let t: TestApp;
let d: Awaited<ReturnType<typeof demoClass>>;
let admin: Record<string, string>;
let learnerId: string;
const detail = async () => {
  const id = d.structure.items.find((i) => i.code === CODE)!.id;
  return (await t.app.inject({ method: 'GET', url: `/api/progress/learners/${learnerId}/items/${id}?framework=${MATH_2017_DOCUMENT}`, headers: admin })).json();
};

beforeAll(async () => {
  t = await build();
  d = await demoClass(t);
  admin = await session(t, [{ role: 'admin', scopeType: 'global', scopeId: '' }]);
  // Eight right answers, then two of the last five: the window's correct rate is 0.4, BKT's estimate near 1.
  const scores = [true, true, true, true, true, true, true, true, false, true, false, true, false];
  await post(t, d.writer, scores.map((s, i) => answered(d.agents[0]!, CODE, s, `2025-06-${String(i + 2).padStart(2, '0')}T01:00:00Z`)));
  const map = (await t.app.inject({ method: 'GET', url: `/api/progress/classes/demo-4-1/heatmap?framework=${MATH_2017_DOCUMENT}&grade=5`, headers: admin })).json();
  learnerId = map.learners.find((_: unknown, i: number) => map.cells[i].some((c: { attempts: number }) => c.attempts > 0)).id;
}, 120_000);
afterAll(() => t.close());

describe('the label and the figure it is judged on', () => {
  it('judges on the window’s correct rate by default: C at 40 %, whatever the BKT estimate', async () => {
    const r = await detail();
    expect(r.progress).toMatchObject({ label: 'C', correctRate: 0.4, state: 'in_progress' });
    expect(r.progress.probability).toBeGreaterThan(0.9);
    expect(r.labelBasis).toBe('correctRate');
    expect(r.window).toBe(5);
    expect(r.labels).toEqual([{ label: 'A', min: 0.8 }, { label: 'B', min: 0.5 }, { label: 'C', min: 0 }]);
    // The label is the first whose threshold the basis figure reaches.
    expect(r.labels.find((l: { min: number }) => r.progress.correctRate >= l.min).label).toBe(r.progress.label);
  });

  it('judges on the probability when the teachers choose that basis, and says so', async () => {
    const put = await t.app.inject({ method: 'PUT', url: '/api/progress/rules', headers: admin, payload: { framework: MATH_2017_DOCUMENT, labels: { basis: 'probability', labels: [{ label: '◎', min: 0.9 }, { label: '○', min: 0.6 }, { label: '△', min: 0 }] } } });
    expect(put.statusCode, put.body).toBe(200);
    const r = await detail();
    expect(r.labelBasis).toBe('probability');
    expect(r.progress.label).toBe('◎');
    expect(r.labels.find((l: { min: number }) => r.progress.probability >= l.min).label).toBe('◎');
  });
});
