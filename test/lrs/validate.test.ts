import { createSign, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { validateStatement } from '../../src/lrs/index.js';
import { isDuration, parseTimestamp, toUtc } from '../../src/lrs/formats.js';
import { verifyStatementSignature } from '../../src/lrs/signature.js';
import { scoreOf, linkReferences } from '../../src/lrs/evidence.js';

const base = () => ({
  actor: { mbox: 'mailto:pupil@example.jp' },
  verb: { id: 'http://adlnet.gov/expapi/verbs/answered' },
  object: { id: 'https://drill.example.jp/q/1' },
});

const rejects = (s: unknown, field: RegExp, version: '1.0.3' | '2.0.0' = '2.0.0') => {
  let err: unknown;
  try {
    validateStatement(s, version);
  } catch (e) {
    err = e;
  }
  expect(err, JSON.stringify(s)).toMatchObject({ code: 'invalid_request' });
  expect((err as Error).message).toMatch(field);
};

describe('validateStatement', () => {
  it('accepts a minimal statement and returns a normalised copy (context activities as arrays)', () => {
    const s = { ...base(), context: { contextActivities: { parent: { id: 'https://drill.example.jp/sets/1' } } } };
    const out = validateStatement(s, '1.0.3');
    expect(out['context']).toEqual({ contextActivities: { parent: [{ id: 'https://drill.example.jp/sets/1' }] } });
    expect((s.context.contextActivities as Record<string, unknown>)['parent']).toEqual({ id: 'https://drill.example.jp/sets/1' });
  });

  it('rejects what the spec forbids, naming the property', () => {
    rejects({ ...base(), actor: { mbox: 'mailto:a@b.jp', openid: 'https://id.example.jp/a' } }, /statement\.actor: must have exactly one/);
    rejects({ ...base(), actor: { mbox: 'a@b.jp' } }, /statement\.actor\.mbox/);
    rejects({ ...base(), verb: { id: 'answered' } }, /statement\.verb\.id: must be an absolute IRI/);
    rejects({ ...base(), extra: 1 }, /statement\.extra: is not a property allowed here/);
    rejects({ ...base(), result: { score: { scaled: 1.5 } } }, /scaled/);
    rejects({ ...base(), result: { score: { raw: 6, max: 5 } } }, /raw/);
    rejects({ ...base(), result: { duration: 'PT' } }, /duration/);
    rejects({ ...base(), result: { extensions: { cfItemId: 'x' } } }, /extension keys must be IRIs/);
    rejects({ ...base(), verb: { id: 'http://x.jp/v', display: { 'not a tag': 'x' } } }, /language tag/);
    rejects({ ...base(), object: { id: 'https://x.jp/q', definition: { interactionType: 'choice', scale: [{ id: 'a' }] } } }, /scale: is not allowed/);
    rejects({ ...base(), object: { objectType: 'Agent', mbox: 'mailto:t@x.jp' }, context: { platform: 'p' } }, /platform/);
    rejects({ ...base(), verb: { id: 'http://adlnet.gov/expapi/verbs/voided' } }, /StatementRef/);
    rejects({ ...base(), timestamp: '2026-04-10T09:00:00-00:00' }, /timestamp/);
    rejects({ ...base(), authority: { objectType: 'Group', mbox: 'mailto:g@x.jp', member: [{ mbox: 'mailto:a@x.jp' }, { mbox: 'mailto:b@x.jp' }] } }, /authority/);
    rejects({ ...base(), version: '2.0.0' }, /version/, '1.0.3');
    rejects({ ...base(), context: { contextAgents: [] } }, /contextAgents: is not a property/, '1.0.3');
  });

  it('accepts 2.0 context agents and groups and checks them', () => {
    const ctx = { contextAgents: [{ objectType: 'contextAgent', agent: { mbox: 'mailto:t@x.jp' }, relevantTypes: ['https://x.jp/teacher'] }] };
    expect(validateStatement({ ...base(), context: ctx }, '2.0.0')['context']).toEqual(ctx);
    rejects({ ...base(), context: { contextAgents: [{ objectType: 'contextAgent', agent: { mbox: 'mailto:t@x.jp' }, relevantTypes: [] }] } }, /relevantTypes/);
  });
});

describe('data types', () => {
  it('parses ISO 8601 timestamps with offsets and converts them to UTC', () => {
    expect(parseTimestamp('2026-04-10T09:00:00+09:00')?.date.toISOString()).toBe('2026-04-10T00:00:00.000Z');
    expect(parseTimestamp('2026-04-10T09:00:00+0900')?.date.toISOString()).toBe('2026-04-10T00:00:00.000Z');
    expect(parseTimestamp('2026-02-30T00:00:00Z')).toBeUndefined();
    expect(parseTimestamp('01/011/2015')).toBeUndefined();
    expect(toUtc('2026-04-10T09:00:00.1234+09:00')).toBe('2026-04-10T00:00:00.1234Z');
  });

  it('checks ISO 8601 durations', () => {
    for (const ok of ['PT12S', 'P1DT12H36M0.12567S', 'P3W', 'PT0.5S']) expect(isDuration(ok), ok).toBe(true);
    for (const bad of ['P', 'PT', '12S', 'P1S', 'PT1H2D']) expect(isDuration(bad), bad).toBe(false);
  });
});

describe('signed statements', () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jws = (payload: unknown, alg = 'RS256') => {
    const h = Buffer.from(JSON.stringify({ alg })).toString('base64url');
    const p = Buffer.from(JSON.stringify(payload)).toString('base64url');
    const sig = createSign('RSA-SHA256').update(`${h}.${p}`).sign(privateKey).toString('base64url');
    return Buffer.from(`${h}.${p}.${sig}`);
  };

  it('accepts a JWS whose payload is the statement, and rejects other payloads and algorithms', () => {
    const s = { ...base(), result: { duration: 'PT1.2345S' } };
    expect(() => verifyStatementSignature(s, jws({ ...base(), result: { duration: 'PT1.23S' } }), 'statement')).not.toThrow();
    expect(() => verifyStatementSignature(s, jws({ ...base(), verb: { id: 'http://x.jp/other' } }), 'statement')).toThrow(/differs/);
    expect(() => verifyStatementSignature(s, jws(s, 'HS256'), 'statement')).toThrow(/RS256/);
    expect(() => verifyStatementSignature(s, Buffer.from('not a jws'), 'statement')).toThrow(/compact/);
  });
});

describe('evidence rules', () => {
  it('scores from scaled, else raw/max, else success; success from the score when absent', () => {
    expect(scoreOf({ score: { scaled: 0.5 } })).toEqual({ score: 0.5, success: false });
    expect(scoreOf({ score: { raw: 2, max: 2 } })).toEqual({ score: 1, success: true });
    expect(scoreOf({ score: { raw: 3, min: 1, max: 5 } })).toEqual({ score: 0.5, success: false });
    expect(scoreOf({ success: true })).toEqual({ score: 1, success: true });
    expect(scoreOf({ success: false, score: { scaled: -0.5 } })).toEqual({ score: 0, success: false });
    expect(scoreOf(undefined)).toEqual({ score: null, success: null });
    expect(scoreOf({ completion: true })).toEqual({ score: null, success: null });
  });

  it('finds CFItem references the four ways', () => {
    const key = 'https://s.example.jp/xapi/extensions/cf-item';
    const cos = 'https://w3id.org/japan-xapi/extensions/course-of-study-code';
    const refs = linkReferences(
      {
        ...base(),
        object: { id: 'https://x.jp/q', definition: { extensions: { [key]: 'u2', [cos]: ['c1'] } } },
        result: { extensions: { [key]: ['u1'] } },
        context: { contextActivities: { other: [{ id: 'https://s.example.jp/uri/u3' }] }, extensions: { [cos]: ['c2'] } },
      },
      'https://s.example.jp',
    );
    expect(refs).toEqual([
      { reference: 'u1', via: 'result_extension' },
      { reference: 'https://s.example.jp/uri/u3', via: 'context_activity' },
      { reference: 'u2', via: 'activity_extension' },
      { reference: 'c1', via: 'course_of_study_code' },
      { reference: 'c2', via: 'course_of_study_code' },
    ]);
  });
});
