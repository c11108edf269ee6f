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

/** The first day of the Japanese school year (1 April) that `day` falls in. */
export function schoolYearStart(day: string): string {
  const [y, m] = day.split('-').map(Number) as [number, number];
  return `${m >= 4 ? y : y - 1}-04-01`;
}

/**
 * The slider's range: from the start of the school year of the earliest answer seen (the map's `lastAt` values,
 * ISO timestamps) to today; without answers, the current school year.
 */
export function sliderRange(lastAts: ReadonlyArray<string | null | undefined>, today: string): { min: string; max: string } {
  let earliest = today;
  for (const t of lastAts) if (t && t.slice(0, 10) < earliest) earliest = todayInTokyo(Date.parse(t));
  return { min: schoolYearStart(earliest), max: today };
}
