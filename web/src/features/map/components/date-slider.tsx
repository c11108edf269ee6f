import { useEffect, useId, useState } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import { addDays, daysBetween, termsOf } from '../lib/dates.js';
import type { SchoolTerm } from '../../../types/progress-api.js';

const PLAY_STEP_DAYS = 7;
const PLAY_INTERVAL_MS = 800;

/**
 * The day the map shows, within one school year: from 1 April (`min`) to 31 March or today (`max`), its terms
 * (the server's, 1学期, 2学期, 3学期 by default) marked under the track and as ticks. Arrow keys move a day, Page keys a week; "replay" steps
 * a week at a time from the start so the map plays the year's change. With answers in several school years, a
 * selector chooses the year.
 */
export function DateSlider({ year, years, onYear, terms: schoolTerms, min, max, value, onChange }: { year: number; years: number[]; onYear: (year: number) => void; terms: ReadonlyArray<SchoolTerm>; min: string; max: string; value: string; onChange: (day: string) => void }) {
  const { t, formatDate } = useI18n();
  const id = useId();
  const [playing, setPlaying] = useState(false);
  const span = Math.max(0, daysBetween(min, max));
  const at = Math.min(span, Math.max(0, daysBetween(min, value)));
  // Terms placed on the whole school year (365 or 366 days), cut at `max` while the year is on.
  const yearDays = daysBetween(min, `${year + 1}-04-01`);
  const pct = (day: string) => `${(Math.min(span, Math.max(0, daysBetween(min, day))) / Math.max(span, 1)) * 100}%`;
  const terms = termsOf(year, schoolTerms).filter((term) => term.from <= max);

  useEffect(() => {
    if (!playing) return;
    const timer = setInterval(() => {
      const next = Math.min(span, at + PLAY_STEP_DAYS);
      onChange(addDays(min, next));
      if (next >= span) setPlaying(false);
    }, PLAY_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [playing, at, span, min, onChange]);

  return (
    <div className="date-slider" data-year-days={yearDays}>
      {years.length > 1 ? (
        <label className="school-year">
          <span className="visually-hidden">{t('map.schoolYearSelect')}</span>
          <select value={year} onChange={(e) => onYear(Number(e.target.value))}>
            {years.map((y) => (
              <option key={y} value={y}>
                {t('map.schoolYear', { year: y })}
              </option>
            ))}
          </select>
        </label>
      ) : (
        <span className="school-year">{t('map.schoolYear', { year })}</span>
      )}
      <label htmlFor={id}>{t('map.asOf')}</label>
      <div className="date-track">
        <input
          id={id}
          type="range"
          min={0}
          max={span}
          step={1}
          value={at}
          list={`${id}-terms`}
          aria-valuetext={formatDate(value)}
          onKeyDown={(e) => {
            if (e.key === 'PageUp' || e.key === 'PageDown') {
              e.preventDefault();
              onChange(addDays(min, Math.min(span, Math.max(0, at + (e.key === 'PageUp' ? PLAY_STEP_DAYS : -PLAY_STEP_DAYS)))));
            }
          }}
          onChange={(e) => onChange(addDays(min, Number(e.target.value)))}
        />
        <datalist id={`${id}-terms`}>
          {terms.map((term) => (
            <option key={term.n} value={daysBetween(min, term.from)} label={t('map.term', { n: term.n })} />
          ))}
        </datalist>
        <ol className="term-marks" aria-hidden="true">
          {terms.map((term) => (
            <li key={term.n} data-term={term.n} data-from={term.from} data-to={term.to} style={{ left: pct(term.from), width: `calc(${pct(term.to > max ? max : term.to)} - ${pct(term.from)})` }}>
              {t('map.term', { n: term.n })}
            </li>
          ))}
        </ol>
      </div>
      <output htmlFor={id} className="date-value">
        {t('map.asOfValue', { date: formatDate(value) })}
      </output>
      <button
        type="button"
        className="button secondary small"
        aria-pressed={playing}
        onClick={() => {
          if (!playing && at >= span) onChange(min);
          setPlaying(!playing);
        }}
      >
        {playing ? t('map.pause') : t('map.play')}
      </button>
    </div>
  );
}
