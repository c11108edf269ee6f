import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';

const ROOT = new URL('../', import.meta.url).pathname;
const source = readFileSync(`${ROOT}src/config.ts`, 'utf8');
const docs = readFileSync(`${ROOT}docs/config.md`, 'utf8');
/** The variables loadConfig's schema accepts: its property names. */
const variables = [...source.slice(source.indexOf('const schema')).matchAll(/^ {4}([A-Z][A-Z0-9_]+): \{/gm)].map((m) => m[1]!);

describe('docs/config.md', () => {
  it('documents every environment variable of src/config.ts in its table', () => {
    expect(variables.length).toBeGreaterThan(10);
    const documented = [...docs.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1]);
    expect(variables.filter((v) => !documented.includes(v))).toEqual([]);
    expect(documented.filter((v) => !variables.includes(v!) && v !== 'SHIRUBE_TEST_DATABASE_URL')).toEqual([]);
  });

  it('states the defaults loadConfig uses', () => {
    const c = loadConfig({});
    const row = (v: string) => docs.split('\n').find((l) => l.startsWith(`| \`${v}\` |`))!;
    expect(row('PORT')).toContain(`\`${c.port}\``);
    expect(row('HOST')).toContain(`\`${c.host}\``);
    expect(row('SHIRUBE_LOG_LEVEL')).toContain(`\`${c.logLevel}\``);
    expect(row('SHIRUBE_BODY_LIMIT')).toContain(`\`${c.bodyLimit}\``);
    expect(row('SHIRUBE_SIGNIN_MAX_FAILURES')).toContain(`\`${c.signInMaxFailures}\``);
    expect(row('SHIRUBE_SIGNIN_MAX_FAILURES_PER_IP')).toContain(`\`${c.signInMaxFailuresPerIp}\``);
    expect(row('SHIRUBE_TIMEZONE')).toContain(`\`${c.timeZone}\``);
    expect(row('SHIRUBE_SCHOOL_TERMS')).toContain(`\`${c.schoolTerms.map((t) => `${t.from}/${t.to}`).join(',')}\``);
  });

  it('reads the school terms as documented, and refuses terms out of school-year order naming the variable', () => {
    expect(loadConfig({ SHIRUBE_SCHOOL_TERMS: '04-01/09-30, 10-01/03-31' }).schoolTerms).toEqual([
      { from: '04-01', to: '09-30' },
      { from: '10-01', to: '03-31' },
    ]);
    for (const bad of ['09-01/12-31,04-01/07-31', '04-01/07-31,07-15/12-31', '04-31/07-31', '13-01/03-31', 'spring', '04-01/03-31,'])
      expect(() => loadConfig({ SHIRUBE_SCHOOL_TERMS: bad }), bad).toThrow(/SHIRUBE_SCHOOL_TERMS/);
  });
});
