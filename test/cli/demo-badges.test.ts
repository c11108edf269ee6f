import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, type TestApp } from '../helper.js';
import { ensureShippedFrameworks } from '../../src/case/demo.js';
import { createSession } from '../../src/auth/index.js';
import { findUserByUsername } from '../../src/store/auth.js';
import { demoBadgeText, runDemo } from '../../src/cli/demo.js';
import { DEMO_CLASS, MATH_2017_DOCUMENT, SCIENCE_2017_DOCUMENT, frameworkStructure } from '../../src/progress/index.js';

/**
 * The demo's badges (docs/demo.md): the achievements exist before the statements, so candidates are evaluated as
 * they arrive and wait for the teacher; three of learner01's 算数 candidates and one 理科 are approved, so their
 * passport is not empty and shows both subjects.
 */
let t: TestApp;
let r: Awaited<ReturnType<typeof runDemo>>;
const as = async (username: string) => {
  const s = await createSession(t.store.db, (await findUserByUsername(t.store.db, username))!.id);
  return { cookie: `shirube_session=${s.token}` };
};

beforeAll(async () => {
  t = await build({ SHIRUBE_SECRET_KEY: 'test-secret-key-of-at-least-32-characters' });
  await ensureShippedFrameworks(t.store.db, () => {});
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (t.app.server.address() as { port: number }).port;
  r = await runDemo(t.store.db, t.config, `http://127.0.0.1:${port}`, { simulation: { days: 6 }, passwords: false });
}, 300_000);
afterAll(() => t.close());

describe('the demo’s badges', () => {
  it('creates the achievements of both subjects, leaves candidates for the teacher and approves three 算数 and one 理科 of learner01’s', async () => {
    const science = await frameworkStructure(t.store.db, SCIENCE_2017_DOCUMENT);
    expect(r.badges).toMatchObject({ achievements: 217 + science.items.length, issued: 4 });
    const teacher = await as('teacher');
    const pending = (await t.app.inject({ url: `/api/badges/candidates?classId=${DEMO_CLASS}`, headers: teacher })).json().candidates;
    expect(pending.length).toBe(r.badges.pending);
    expect(pending.length).toBeGreaterThan(0);
    const passport = (await t.app.inject({ url: '/api/badges/passport', headers: await as('learner01') })).json();
    expect(passport.credentials).toHaveLength(4);
    // Each credential is aligned to its CFItem: three 算数 items and one 理科 item.
    const targets = passport.credentials.map((c: { credential: { credentialSubject: { achievement: { alignment: Array<{ targetCode: string }> } } } }) => c.credential.credentialSubject.achievement.alignment[0]!.targetCode);
    const scienceIds = new Set(science.items.map((i) => i.id));
    expect(targets.filter((id: string) => scienceIds.has(id))).toHaveLength(1);
    expect(passport.credentials.every((c: { revoked: boolean }) => !c.revoked)).toBe(true);
    const issued = (await t.app.inject({ url: `/api/badges/candidates?classId=${DEMO_CLASS}&status=issued`, headers: teacher })).json().candidates;
    expect(issued.map((c: { learnerId: string }) => c.learnerId)).toEqual(Array(4).fill(passport.learnerId));
    expect((await t.app.inject({ url: `/api/badges/achievements?framework=${MATH_2017_DOCUMENT}`, headers: teacher })).json().achievements).toHaveLength(217);
    expect((await t.app.inject({ url: `/api/badges/achievements?framework=${SCIENCE_2017_DOCUMENT}`, headers: teacher })).json().achievements).toHaveLength(science.items.length);
  });

  it('says where to see them', () => {
    const text = demoBadgeText(t.config, r.badges);
    expect(text).toContain(`${r.badges.pending} candidates`);
    expect(text).toContain(`${t.config.publicUrl}/dashboard`);
    expect(text).toContain(`learner01 has 4 on ${t.config.publicUrl}/passport`);
  });
});
