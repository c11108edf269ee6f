import { useEffect, useId, useState } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import { addDays, daysBetween } from '../lib/dates.js';

const PLAY_STEP_DAYS = 7;
const PLAY_INTERVAL_MS = 800;

/**
 * The day the map shows, from `min` to `max` (today). Arrow keys move a day, Page keys a week; "replay" steps a week
 * at a time from the start so the map plays the year's change.
 */
export function DateSlider({ min, max, value, onChange }: { min: string; max: string; value: string; onChange: (day: string) => void }) {
  const { t, formatDate } = useI18n();
  const id = useId();
  const [playing, setPlaying] = useState(false);
  const span = Math.max(0, daysBetween(min, max));
  const at = Math.min(span, Math.max(0, daysBetween(min, value)));

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
    <div className="date-slider">
      <label htmlFor={id}>{t('map.asOf')}</label>
      <input
        id={id}
        type="range"
        min={0}
        max={span}
        step={1}
        value={at}
        aria-valuetext={formatDate(value)}
        onKeyDown={(e) => {
          if (e.key === 'PageUp' || e.key === 'PageDown') {
            e.preventDefault();
            onChange(addDays(min, Math.min(span, Math.max(0, at + (e.key === 'PageUp' ? PLAY_STEP_DAYS : -PLAY_STEP_DAYS)))));
          }
        }}
        onChange={(e) => onChange(addDays(min, Number(e.target.value)))}
      />
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
