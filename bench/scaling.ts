// npx tsx bench/scaling.ts — the load model behind docs/scaling.md: one school day of Japan's elementary schools,
// simulated minute by minute, spread over N database nodes by school or by learner; prints JSON.
//
// Model (assumptions named in docs/scaling.md): SCALING_SCHOOLS schools (default 18,980) and SCALING_LEARNERS
// learners (default 6,050,000; 学校基本調査 2023), school sizes log-normal (σ 0.8) scaled to that total, classes of
// up to 35; SCALING_ANSWERS answers per learner per day (default 50): 70 % in two 10-minute drill bursts per class in
// school lessons (a class answers together), 30 % at home between 16:00 and 21:00. Per node: the peak minute's rate,
// the imbalance (busiest node ÷ mean), bytes stored per day (SCALING_BYTES_PER_STATEMENT, default 3,900: the LRS
// bench's 4.7 GB for 1.2 M statements with indexes and evidence), and how many nodes a class dashboard reads.
// SCALING_NODE_RATE (default 1,500 statements/s: what `npm run bench` measured for one PostgreSQL node's batch POST)
// gives the nodes needed for the peak at half load.
const SCHOOLS = Number(process.env['SCALING_SCHOOLS'] ?? 18_980);
const LEARNERS = Number(process.env['SCALING_LEARNERS'] ?? 6_050_000);
const ANSWERS = Number(process.env['SCALING_ANSWERS'] ?? 50);
const BYTES = Number(process.env['SCALING_BYTES_PER_STATEMENT'] ?? 3_900);
const NODE_RATE = Number(process.env['SCALING_NODE_RATE'] ?? 1_500);
const NODES = [1, 8, 16, 32, 64, 128];
const CLASS_SIZE = 35;
const MINUTES = 24 * 60;
const log = (msg: string) => process.stderr.write(`[bench:scaling] ${msg}\n`);

// A seeded generator: the same plan every run.
let seed = 0x5eed;
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

// School sizes, log-normal, scaled to the national total.
const raw = Array.from({ length: SCHOOLS }, () => Math.exp(0.8 * normal()));
const scale = LEARNERS / raw.reduce((a, b) => a + b, 0);
const sizes = raw.map((r) => Math.max(1, Math.round(r * scale)));

// Lesson periods (start minute of the day, JST) in which a class may drill.
const PERIODS = [8 * 60 + 45, 9 * 60 + 35, 10 * 60 + 45, 11 * 60 + 35, 13 * 60 + 45, 14 * 60 + 35];
const HOME_FROM = 16 * 60;
const HOME_TO = 21 * 60;

type Distribution = 'school' | 'learner';
/** Hash distribution, as Citus does with a distribution column: murmur3's finaliser, then a node. */
function nodeOf(key: number, nodes: number): number {
  let h = key;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % nodes;
}

function simulate(distribution: Distribution, nodes: number) {
  seed = 0xda7; // the same day for every layout
  const perMinute = Array.from({ length: nodes }, () => new Float64Array(MINUTES));
  const perDay = new Float64Array(nodes);
  let classNodes = 0;
  let classes = 0;
  let learnerId = 0;
  for (let school = 0; school < SCHOOLS; school++) {
    for (let left = sizes[school]!; left > 0; left -= CLASS_SIZE) {
      const size = Math.min(CLASS_SIZE, left);
      const members = Array.from({ length: size }, () => learnerId++);
      const touched = new Set(members.map((l) => (distribution === 'school' ? nodeOf(school, nodes) : nodeOf(l, nodes))));
      classNodes += touched.size;
      classes++;
      // Two drill bursts in lessons, 10 minutes each, the class together.
      const bursts = [PERIODS[Math.floor(random() * PERIODS.length)]!, PERIODS[Math.floor(random() * PERIODS.length)]!].map((p) => p + 10 + Math.floor(random() * 25));
      for (const l of members) {
        const node = distribution === 'school' ? nodeOf(school, nodes) : nodeOf(l, nodes);
        const inSchool = (ANSWERS * 0.7) / bursts.length;
        for (const b of bursts) for (let m = 0; m < 10; m++) perMinute[node]![b + m]! += inSchool / 10;
        // At home: one sitting of 15 minutes somewhere in the evening.
        const start = HOME_FROM + Math.floor(random() * (HOME_TO - HOME_FROM - 15));
        for (let m = 0; m < 15; m++) perMinute[node]![start + m]! += (ANSWERS * 0.3) / 15;
        perDay[node]! += ANSWERS;
      }
    }
  }
  const peaks = perMinute.map((minutes) => Math.max(...minutes) / 60);
  const total = new Float64Array(MINUTES);
  for (const minutes of perMinute) for (let m = 0; m < MINUTES; m++) total[m]! += minutes[m]!;
  const mean = peaks.reduce((a, b) => a + b, 0) / nodes;
  const busiest = Math.max(...peaks);
  return {
    distribution,
    nodes,
    clusterPeakPerSecond: Math.round(Math.max(...total) / 60),
    busiestNodePeakPerSecond: Math.round(busiest),
    imbalance: Math.round((busiest / mean) * 100) / 100,
    busiestNodeGigabytesPerDay: Math.round((Math.max(...perDay) * BYTES) / 1e9),
    nodesReadByAClassDashboard: Math.round((classNodes / classes) * 10) / 10,
    busiestNodeLoadAtNodeRate: Math.round((busiest / NODE_RATE) * 100) / 100,
  };
}

log(`${SCHOOLS} schools, ${sizes.reduce((a, b) => a + b, 0)} learners, ${ANSWERS} answers a day each`);
const rows = (['school', 'learner'] as const).flatMap((d) => NODES.map((n) => (log(`${d} × ${n} nodes`), simulate(d, n))));
const bySchool = rows.filter((r) => r.distribution === 'school');
const needed = bySchool.find((r) => r.busiestNodeLoadAtNodeRate <= 0.5);
process.stdout.write(
  `${JSON.stringify(
    {
      model: { schools: SCHOOLS, learners: sizes.reduce((a, b) => a + b, 0), answersPerLearnerPerDay: ANSWERS, statementsPerDay: sizes.reduce((a, b) => a + b, 0) * ANSWERS, bytesPerStatement: BYTES, nodeRatePerSecond: NODE_RATE },
      rows,
      nodesNeededBySchoolAtHalfLoad: needed?.nodes ?? `more than ${NODES.at(-1)}`,
    },
    null,
    2,
  )}\n`,
);
