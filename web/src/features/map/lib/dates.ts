import type { SchoolTerm } from '../../../types/progress-api.js';

/**
 * Calendar days for the date slider, as `YYYY-MM-DD` strings (the API's `asOf`): day arithmetic in UTC on the
 * calendar date itself, so no time zone can shift a day.
 */
const DAY = 86_400_000;
const parse = (day: string) => Date.parse(`${day}T00:00:00Z`);
const format = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export const addDays = (day: string, n: number) => format(parse(day) + n * DAY);
export const daysBetween = (from: string, to: string) => Math.round((parse(to) - parse(from)) / DAY);

/** Today in Japan (the API's days are Asia/Tokyo days). */
export const todayInTokyo = (now = Date.now()) => format(now + 9 * 3_600_000);

/** The Japanese school year (学年度, from 1 April to 31 March) that `day` falls in, by the year of its April. */
export function schoolYearOf(day: string): number {
  const [y, m] = day.split('-').map(Number) as [number, number];
  return m >= 4 ? y : y - 1;
}

/** The first day of the Japanese school year (1 April) that `day` falls in. */
export const schoolYearStart = (day: string): string => `${schoolYearOf(day)}-04-01`;

/**
 * The terms of school year `year` as days, from the server's month-day ranges (SHIRUBE_SCHOOL_TERMS, 3学期制 by
 * default): a term from January on falls in the next calendar year.
 */
export const termsOf = (year: number, terms: ReadonlyArray<SchoolTerm>) => terms.map((t, i) => ({ n: i + 1, from: dayOfSchoolYear(year, t.from), to: dayOfSchoolYear(year, t.to) }));
const dayOfSchoolYear = (year: number, monthDay: string) => `${monthDay >= '04-01' ? year : year + 1}-${monthDay}`;

/**
 * The school years with answers (the map's `lastAt` values, ISO timestamps) up to today's, newest first, and the one
 * the slider shows first: today's when it has answers, else the latest that has; without answers, today's.
 */
export function schoolYearChoices(lastAts: ReadonlyArray<string | null | undefined>, today: string): { years: number[]; initial: number } {
  const current = schoolYearOf(today);
  const withAnswers = new Set<number>();
  for (const t of lastAts) if (t) withAnswers.add(schoolYearOf(todayInTokyo(Date.parse(t))));
  const first = Math.min(current, ...withAnswers);
  const years = Array.from({ length: current - first + 1 }, (_, i) => current - i);
  return { years, initial: withAnswers.has(current) || !withAnswers.size ? current : Math.max(...withAnswers) };
}

/** The slider's range in school year `year`: 1 April to 31 March, or to today while the year is on. */
export function schoolYearRange(year: number, today: string): { min: string; max: string } {
  const end = `${year + 1}-03-31`;
  return { min: `${year}-04-01`, max: end < today ? end : today };
}
