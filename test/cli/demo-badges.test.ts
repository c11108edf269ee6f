import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, type TestApp } from '../helper.js';
import { ensureDemoFramework } from '../../src/case/demo.js';
import { createSession } from '../../src/auth/index.js';
import { findUserByUsername } from '../../src/store/auth.js';
import { demoBadgeText, runDemo } from '../../src/cli/demo.js';
import { DEMO_CLASS, MATH_2017_DOCUMENT } from '../../src/progress/index.js';

/**
 * The demo's badges (docs/demo.md): the achievements exist before the statements, so candidates are evaluated as
 * they arrive and wait for the teacher; a few of learner01's are approved, so their passport is not empty.
 */
let t: TestApp;
let r: Awaited<ReturnType<typeof runDemo>>;
const as = async (username: string) => {
  const s = await createSession(t.store.db, (await findUserByUsername(t.store.db, username))!.id);
  return { cookie: `shirube_session=${s.token}` };
};

beforeAll(async () => {
  t = await build({ SHIRUBE_SECRET_KEY: 'test-secret-key-of-at-least-32-characters' });
  await ensureDemoFramework(t.store.db, () => {});
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (t.app.server.address() as { port: number }).port;
  r = await runDemo(t.store.db, t.config, `http://127.0.0.1:${port}`, { simulation: { days: 4 }, passwords: false });
}, 180_000);
afterAll(() => t.close());

describe('the demo’s badges', () => {
  it('creates the achievements, leaves candidates for the teacher and approves three of learner01’s', async () => {
    expect(r.badges).toMatchObject({ achievements: 217, issued: 3 });
    const teacher = await as('teacher');
    const pending = (await t.app.inject({ url: `/api/badges/candidates?classId=${DEMO_CLASS}`, headers: teacher })).json().candidates;
    expect(pending.length).toBe(r.badges.pending);
    expect(pending.length).toBeGreaterThan(0);
    const passport = (await t.app.inject({ url: '/api/badges/passport', headers: await as('learner01') })).json();
    expect(passport.credentials).toHaveLength(3);
    expect(passport.credentials.every((c: { revoked: boolean }) => !c.revoked)).toBe(true);
    const issued = (await t.app.inject({ url: `/api/badges/candidates?classId=${DEMO_CLASS}&status=issued`, headers: teacher })).json().candidates;
    expect(issued.map((c: { learnerId: string }) => c.learnerId)).toEqual(Array(3).fill(passport.learnerId));
    expect((await t.app.inject({ url: `/api/badges/achievements?framework=${MATH_2017_DOCUMENT}`, headers: teacher })).json().achievements).toHaveLength(217);
  });

  it('says where to see them', () => {
    const text = demoBadgeText(t.config, r.badges);
    expect(text).toContain(`${r.badges.pending} candidates`);
    expect(text).toContain(`${t.config.publicUrl}/dashboard`);
    expect(text).toContain(`learner01 has 3 on ${t.config.publicUrl}/passport`);
  });
});
