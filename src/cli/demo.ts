import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { createApiClient, randomToken, setUserPassword } from '../auth/index.js';
import type { Config } from '../config.js';
import type { Db } from '../store/db.js';
import { ShirubeError } from '../errors.js';
import { DEFAULT_SIMULATION, DEMO_CLASS, demoSubjects, ensureDemoResources, ensureDemoRubrics, MATH_2017_DOCUMENT, learnerOfUser, seedDemoRoster, simLearners, simulateClass, type SimulationOptions } from '../progress/index.js';
import { achievementIdOfItem, approveCandidates, createDefaultAchievements, loadSecretKey } from '../badges/index.js';
import { getCandidates } from '../store/badges.js';
import { ensureShippedFrameworks } from '../case/demo.js';
import { COURSE_OF_STUDY_CODE } from '../lrs/index.js';
import { withStore } from './context.js';
import { progressReporter } from './progress.js';

const BATCH = 200;
/** Badges approved for learner01, so that their passport is not empty in the demo: 算数 first, then the other subjects. */
const DEMO_BADGES = [3, 1];

/**
 * Seeds the demo class (school, 4年1組, teacher, 35 learners) and a year of drill statements of 算数 and, when
 * loaded, 理科, POSTed through the listening server's real /xapi endpoint with an API client's Basic credentials.
 * Returns the demo sign-ins.
 */
export async function runDemo(db: Db, config: Config, baseUrl: string, o: { simulation?: Partial<SimulationOptions>; onProgress?: (done: number, total: number) => void; passwords?: boolean } = {}) {
  const { agents, teacherUserId, learnerUserIds } = await seedDemoRoster(db, config.publicUrl);
  await ensureDemoRubrics(db, config.publicUrl);
  const options = { ...DEFAULT_SIMULATION, ...o.simulation };
  const subjects = await demoSubjects(db, options);
  // Three example drills (example.org) for the first grade-4 算数 items: the item panel and next steps show links.
  const math = subjects.find((x) => x.structure.identifier === MATH_2017_DOCUMENT)?.structure;
  await ensureDemoResources(db, math?.items.filter((i) => i.grade === '4').slice(0, DEMO_RESOURCES) ?? []);
  // Achievements before the statements: candidates are evaluated as the evidence arrives (docs/badges.md).
  let achievements = 0;
  for (const subject of subjects) achievements += await createDefaultAchievements(db, config.publicUrl, subject.structure.identifier);
  const client = await createApiClient(db, { name: 'デモドリル (simulator)', scopes: ['xapi:statements/write'] });
  const auth = `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`;
  const batches = [...simulateClass(subjects, simLearners(agents, options.seed))].flat();
  for (let i = 0; i < batches.length; i += BATCH) {
    const res = await fetch(`${baseUrl}/xapi/statements`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json', 'x-experience-api-version': '1.0.3' },
      body: JSON.stringify(batches.slice(i, i + BATCH)),
    });
    if (!res.ok) throw new ShirubeError('internal', `The LRS refused the demo statements: ${res.status} ${await res.text()}`);
    o.onProgress?.(Math.min(i + BATCH, batches.length), batches.length);
  }
  const perSubject = subjects.map((x) => new Set(x.structure.items.map((i) => achievementIdOfItem(i.id))));
  const badges = { achievements, ...(await approveDemoBadges(db, config, learnerUserIds[0]!, perSubject)) };
  let signIns: Array<{ username: string; password: string; role: string }> = [];
  if (o.passwords !== false) {
    // Demo only: school accounts sign in through OIDC; these two get a password so a newcomer can look around.
    const password = randomToken(9);
    await setUserPassword(db, teacherUserId, password, 'system');
    await setUserPassword(db, learnerUserIds[0]!, password, 'system');
    signIns = [
      { username: 'teacher', password, role: 'teacher of 4年1組' },
      { username: 'learner01', password, role: 'learner (own map only)' },
    ];
  }
  const frameworkOf = new Map(subjects.flatMap((x) => x.structure.items.map((i) => [i.code, x.structure.identifier] as const)));
  const count = new Map<string, number>();
  for (const b of batches) count.set(frameworkOf.get(codeOf(b))!, (count.get(frameworkOf.get(codeOf(b))!) ?? 0) + 1);
  const bySubject = subjects.map(({ structure: s }) => ({ framework: s.identifier, title: s.title, statements: count.get(s.identifier) ?? 0 }));
  return { statements: batches.length, bySubject, signIns, badges };
}

/** How many grade-4 算数 items get an example drill. */
const DEMO_RESOURCES = 3;

/** The Course of Study Code a simulated statement names. */
const codeOf = (statement: Record<string, unknown>) => (statement['object'] as { definition: { extensions: Record<string, string[]> } }).definition.extensions[COURSE_OF_STUDY_CODE]![0]!;

/**
 * A few of learner01's candidates approved through the same domain function as the teacher's Approve button (the
 * class's teacher decides; audited as the system's demo seeding): three of 算数, one of 理科. Returns the counts the
 * start-up text prints.
 */
async function approveDemoBadges(db: Db, config: Config, learner01: string, perSubject: Set<string>[]): Promise<{ pending: number; issued: number }> {
  const learnerId = (await learnerOfUser(db, learner01))!;
  const mine = await getCandidates(db, { learnerIds: [learnerId], status: 'pending' });
  const ctx = { db, publicUrl: config.publicUrl, secret: loadSecretKey({ secretKey: config.secretKey, dataDir: config.dataDir }) };
  const keys = perSubject
    .flatMap((ids, n) => mine.filter((c) => ids.has(c.achievementId)).slice(0, DEMO_BADGES[n] ?? 0))
    .map((c) => ({ achievementId: c.achievementId, learnerId }));
  if (keys.length) await approveCandidates(ctx, { actor: 'system', admin: false, teacherOf: [DEMO_CLASS] }, keys);
  return { pending: (await getCandidates(db, { status: 'pending' })).length, issued: keys.length };
}

/** "算数 17379, 理科 7338": the statements of each subject (the part of the title after the era). */
export const subjectCountText = (bySubject: Array<{ title: string; statements: number }>) =>
  bySubject.map((x) => `${x.title.replace(/^.*）/, '')} ${x.statements}`).join(', ');

/** Where the demo's badges are: the candidates waiting for the teacher, learner01's passport, the achievements. */
export function demoBadgeText(config: Config, b: { achievements: number; pending: number; issued: number }): string {
  return (
    `Badges: ${b.pending} candidates wait for the teacher's approval on ${config.publicUrl}/dashboard (バッジの候補) and on each learner's map;
` +
    `  learner01 has ${b.issued} on ${config.publicUrl}/passport; achievements (${b.achievements} created) on ${config.publicUrl}/badges/achievements
`
  );
}

/** Writes the demo sign-ins next to the admin password (mode 600) and formats them for the console. */
export function demoSignInText(config: Config, signIns: Array<{ username: string; password: string; role: string }>): string {
  mkdirSync(config.dataDir, { recursive: true });
  const file = join(config.dataDir, 'demo-sign-ins.txt');
  writeFileSync(file, `${signIns.map((s) => `  ${s.username} / ${s.password}  (${s.role})`).join('\n')}\n`, { mode: 0o600 });
  // The passwords stay in the file: standard output often ends up in a log (journald, a container's log).
  return `Demo sign-ins (passwords in ${file}):\n${signIns.map((s) => `  ${s.username}  (${s.role})`).join('\n')}\n`;
}

export function demoCommands(program: Command): void {
  const demo = program.command('demo').description('the demo class and its simulated drill statements');
  demo
    .command('simulate')
    .description('seed the demo school, class 4年1組 (35 learners) and a school year of 算数 and 理科 drill statements through /xapi')
    .option('--seed <n>', 'random seed', (v) => Number(v), DEFAULT_SIMULATION.seed)
    .option('--days <n>', 'school days to simulate', (v) => Number(v), DEFAULT_SIMULATION.days)
    .action(async (opts: { seed: number; days: number }) => {
      if (!Number.isInteger(opts.seed) || !Number.isInteger(opts.days) || opts.days < 1 || opts.days > 400) {
        throw new ShirubeError('invalid_request', '--seed and --days: integers (days 1–400)', 'days');
      }
      await withStore(async ({ store, config }) => {
        await ensureShippedFrameworks(store.db, (msg) => process.stderr.write(`${msg}\n`));
        const { buildApp } = await import('../app.js');
        const app = await buildApp({ config: { ...config, logLevel: 'warn' }, store });
        await app.listen({ port: 0, host: '127.0.0.1' });
        const address = app.server.address();
        const port = typeof address === 'object' && address ? address.port : 0;
        const bar = progressReporter('Posting demo statements');
        try {
          const r = await runDemo(store.db, config, `http://127.0.0.1:${port}`, { simulation: { seed: opts.seed, days: opts.days }, onProgress: bar.onProgress });
          bar.finish();
          process.stdout.write(`Posted ${r.statements} statements for 35 learners (${subjectCountText(r.bySubject)}).\n${demoBadgeText(config, r.badges)}${demoSignInText(config, r.signIns)}`);
        } finally {
          await app.close();
        }
      });
    });
}
