import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, schoolYearStart, sliderRange, todayInTokyo } from '../../web/src/features/map/lib/dates.js';

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

  it('spans from the school year of the earliest answer to today', () => {
    expect(sliderRange(['2025-09-01T00:00:00Z', null, '2025-05-10T03:00:00Z'], '2026-02-01')).toEqual({ min: '2025-04-01', max: '2026-02-01' });
    expect(sliderRange([], '2026-02-01')).toEqual({ min: '2025-04-01', max: '2026-02-01' });
  });
});
