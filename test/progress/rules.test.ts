import { describe, expect, it } from 'vitest';
import { bktUpdate, DEFAULT_BKT } from '../../src/progress/bkt.js';
import { checkLabels, checkRule, DEFAULT_LABELS, DEFAULT_RULE, evaluate, type RecentAnswer } from '../../src/progress/rules.js';
import { replay } from '../../src/progress/mastery.js';
import { endOfDay } from '../../src/progress/standing.js';

describe('Bayesian Knowledge Tracing', () => {
  it('follows the textbook update for a correct and a wrong answer', () => {
    const { pL0: p, pT, pG, pS } = DEFAULT_BKT;
    const ifCorrect = (p * (1 - pS)) / (p * (1 - pS) + (1 - p) * pG);
    const ifWrong = (p * pS) / (p * pS + (1 - p) * (1 - pG));
    expect(bktUpdate(p, 1)).toBeCloseTo(ifCorrect + (1 - ifCorrect) * pT, 12);
    expect(bktUpdate(p, 0)).toBeCloseTo(ifWrong + (1 - ifWrong) * pT, 12);
  });

  it('gives partial credit between the two', () => {
    const half = bktUpdate(0.4, 0.5);
    expect(half).toBeGreaterThan(bktUpdate(0.4, 0));
    expect(half).toBeLessThan(bktUpdate(0.4, 1));
  });

  it('rises towards 1 with correct answers', () => {
    let p = DEFAULT_BKT.pL0;
    for (let i = 0; i < 6; i++) p = bktUpdate(p, 1);
    expect(p).toBeGreaterThan(0.95);
  });
});

describe('proficiency rule and labels', () => {
  const at = 1_000_000;
  const answers = (...scores: number[]): RecentAnswer[] => scores.map((s, i) => [at - 86400 * (scores.length - i), s]);

  it('is not started without answers, mastered with enough good answers in the last K', () => {
    expect(evaluate(0, [], 0.2, DEFAULT_RULE, DEFAULT_LABELS, at)).toEqual({ state: 'not_started', label: null, correctRate: null });
    expect(evaluate(2, answers(1, 1), 0.6, DEFAULT_RULE, DEFAULT_LABELS, at).state).toBe('in_progress'); // fewer than 3
    const r = evaluate(6, answers(0, 1, 1, 1, 1, 0.5), 0.9, DEFAULT_RULE, DEFAULT_LABELS, at);
    expect(r).toEqual({ state: 'mastered', label: 'A', correctRate: 0.9 }); // last 5: 1,1,1,1,0.5
  });

  it('labels by the teacher’s thresholds', () => {
    expect(evaluate(3, answers(1, 0, 1), 0.5, DEFAULT_RULE, DEFAULT_LABELS, at).label).toBe('B');
    expect(evaluate(3, answers(0, 0, 1), 0.5, DEFAULT_RULE, DEFAULT_LABELS, at).label).toBe('C');
    const byP = checkLabels({ basis: 'probability', labels: [{ label: '◎', min: 0.9 }, { label: '○', min: 0 }] });
    expect(evaluate(3, answers(0, 0, 0), 0.95, DEFAULT_RULE, byP, at).label).toBe('◎');
  });

  it('counts only recent answers with recencyDays', () => {
    const rule = checkRule({ recencyDays: 2 });
    expect(evaluate(5, answers(1, 1, 1, 1, 1), 0.9, rule, DEFAULT_LABELS, at).state).toBe('in_progress'); // answers 1 and 2 days old: fewer than minAnswers
    expect(evaluate(5, answers(1, 1, 1, 1, 1), 0.9, DEFAULT_RULE, DEFAULT_LABELS, at).state).toBe('mastered');
  });

  it('rejects bad rules and label schemes naming the field', () => {
    expect(() => checkRule({ lastK: 0 })).toThrow(/rule.lastK/);
    expect(() => checkRule({ minAnswers: 6, lastK: 5 })).toThrow(/rule.minAnswers/);
    expect(() => checkLabels({ labels: [{ label: 'A', min: 0.5 }, { label: 'B', min: 0.6 }] })).toThrow(/labels.labels.1.min/);
    expect(() => checkLabels({ labels: [{ label: 'A', min: 0.5 }] })).toThrow(/min 0/);
  });
});

describe('mastery replay', () => {
  it('keeps one row per day with cumulative and daily counts', () => {
    const t = (iso: string) => new Date(iso);
    const rows = replay('l', 'i', [
      { timestamp: t('2025-04-10T00:00:00Z'), score: 1, correct: true },
      { timestamp: t('2025-04-10T14:59:00Z'), score: 0, correct: false }, // 23:59 in Tokyo: same day
      { timestamp: t('2025-04-10T15:01:00Z'), score: 0.5, correct: false }, // next day in Tokyo
    ], 'Asia/Tokyo');
    expect(rows.map((r) => [r.day, r.attempts, r.correct, r.dayAttempts, r.dayCorrect])).toEqual([
      ['2025-04-10', 2, 1, 2, 1],
      ['2025-04-11', 3, 1, 1, 0],
    ]);
    expect(rows[1]!.p).toBeCloseTo(bktUpdate(bktUpdate(bktUpdate(0.2, 1), 0), 0.5), 12);
    expect(rows[1]!.recent.map(([, s]) => s)).toEqual([1, 0, 0.5]);
  });

  it('ends a day at midnight in the time zone', () => {
    expect(new Date(endOfDay('2025-04-10', 'Asia/Tokyo') * 1000).toISOString()).toBe('2025-04-10T14:59:59.000Z');
  });
});
