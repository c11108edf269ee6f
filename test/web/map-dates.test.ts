import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, schoolYearChoices, schoolYearRange, schoolYearStart, termsOf, todayInTokyo } from '../../web/src/features/map/lib/dates.js';

describe('date slider days', () => {
  it('adds and counts days across months, years and leap days', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-02-28', 2)).toBe('2024-03-01');
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(addDays('2025-04-01', -1)).toBe('2025-03-31');
    expect(daysBetween('2025-04-01', '2026-03-31')).toBe(364);
  });

  it('uses the Tokyo calendar day', () => {
    expect(todayInTokyo(Date.parse('2025-07-19T15:00:00Z'))).toBe('2025-07-20');
    expect(todayInTokyo(Date.parse('2025-07-19T14:59:59Z'))).toBe('2025-07-19');
  });

  it('starts the school year on 1 April', () => {
    expect(schoolYearStart('2025-04-01')).toBe('2025-04-01');
    expect(schoolYearStart('2026-03-31')).toBe('2025-04-01');
    expect(schoolYearStart('2025-12-24')).toBe('2025-04-01');
  });

  it('offers the school years from the earliest answer to today, starting on today’s when it has answers, else the latest that has', () => {
    // Answers in 2025 (school year 2025: April 2025 – March 2026) and today in December 2026.
    const lastAts = ['2025-09-01T00:00:00Z', null, '2026-03-20T03:00:00Z', '2025-05-10T03:00:00Z'];
    expect(schoolYearChoices(lastAts, '2026-12-07')).toEqual({ years: [2026, 2025], initial: 2025 });
    expect(schoolYearChoices([...lastAts, '2026-04-10T00:00:00Z'], '2026-12-07')).toEqual({ years: [2026, 2025], initial: 2026 });
    // 31 March 15:30 UTC is 1 April in Tokyo: the next school year.
    expect(schoolYearChoices(['2026-03-31T15:30:00Z'], '2026-12-07').initial).toBe(2026);
    expect(schoolYearChoices([], '2026-02-01')).toEqual({ years: [2025], initial: 2025 });
  });

  it('bounds the slider to the school year: 1 April to 31 March, or to today while it is on', () => {
    expect(schoolYearRange(2025, '2026-12-07')).toEqual({ min: '2025-04-01', max: '2026-03-31' });
    expect(schoolYearRange(2026, '2026-12-07')).toEqual({ min: '2026-04-01', max: '2026-12-07' });
  });

  it('places the terms in the school year: January–March in the next calendar year (3学期制, or 前期/後期)', () => {
    const terms = [{ from: '04-01', to: '07-31' }, { from: '09-01', to: '12-31' }, { from: '01-01', to: '03-31' }];
    expect(termsOf(2025, terms)).toEqual([
      { n: 1, from: '2025-04-01', to: '2025-07-31' },
      { n: 2, from: '2025-09-01', to: '2025-12-31' },
      { n: 3, from: '2026-01-01', to: '2026-03-31' },
    ]);
    expect(termsOf(2025, [{ from: '04-01', to: '09-30' }, { from: '10-01', to: '03-31' }])).toEqual([
      { n: 1, from: '2025-04-01', to: '2025-09-30' },
      { n: 2, from: '2025-10-01', to: '2026-03-31' },
    ]);
  });
});
