import type { ReactNode } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import type { AchievementRule } from '../api/badges.js';

/** A labelled control with the API's message for its field below it (and tied to it for screen readers). */
export function Field({ id, label, error, children }: { id: string; label: string; error: string | undefined; children: (props: { id: string; 'aria-invalid': boolean; 'aria-describedby': string | undefined }) => ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': !!error, 'aria-describedby': error ? `${id}-error` : undefined })}
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

/** The rule as typed: numbers stay strings until sent, so an empty or odd value reaches the API, whose message says what it wants. */
export interface RuleDraft {
  kind: AchievementRule['kind'];
  minCorrectRate: string;
  minAnswers: string;
  days: string;
  /** rubricLevel: the level's name in the items' rubrics (e.g. A). */
  level: string;
}
export const ruleDraft = (r: AchievementRule): RuleDraft => {
  const rate = r.kind === 'correctRate' ? r : { minCorrectRate: 0.9, minAnswers: 10, days: 60 };
  return { kind: r.kind, minCorrectRate: String(rate.minCorrectRate), minAnswers: String(rate.minAnswers), days: String(rate.days), level: r.kind === 'rubricLevel' ? r.level : 'A' };
};
const num = (v: string) => (v.trim() === '' ? null : Number(v));
export const ruleOf = (d: RuleDraft) =>
  (d.kind === 'mastered' ? { kind: d.kind } : d.kind === 'rubricLevel' ? { kind: d.kind, level: d.level } : { kind: d.kind, minCorrectRate: num(d.minCorrectRate), minAnswers: num(d.minAnswers), days: num(d.days) }) as AchievementRule;
/** Empty: no expiry (null). */
export const validForDaysOf = (v: string) => num(v);

/** The fields the achievement routes name in their 400s, shown next to their control. */
export const ACHIEVEMENT_FIELDS = ['name', 'description', 'criteriaNarrative', 'rule', 'rule.minCorrectRate', 'rule.minAnswers', 'rule.days', 'rule.level', 'enabled', 'validForDays'];

/** The machine rule: Mastered, or a correct rate over enough recent answers; each number with the API's message. */
export function RuleFields({ id, value, onChange, fieldError }: { id: string; value: RuleDraft; onChange: (d: RuleDraft) => void; fieldError: (field: string) => string | undefined }) {
  const { t } = useI18n();
  const set = (patch: Partial<RuleDraft>) => onChange({ ...value, ...patch });
  return (
    <fieldset className="rule-fields" aria-describedby={fieldError('rule') ? `${id}-rule-error` : undefined}>
      <legend>{t('achievements.rule')}</legend>
      {(['mastered', 'correctRate', 'rubricLevel'] as const).map((k) => (
        <label key={k}>
          <input type="radio" name={`${id}-kind`} checked={value.kind === k} onChange={() => set({ kind: k })} /> {t(`achievements.rule.${k}`)}
        </label>
      ))}
      {fieldError('rule') && (
        <p id={`${id}-rule-error`} className="field-error">
          {fieldError('rule')}
        </p>
      )}
      {value.kind === 'rubricLevel' && (
        <div className="badge-bulk">
          <Field id={`${id}-level`} label={t('achievements.rubricLevel')} error={fieldError('rule.level')}>
            {(p) => <input {...p} type="text" maxLength={50} value={value.level} onChange={(e) => set({ level: e.target.value })} />}
          </Field>
        </div>
      )}
      {value.kind === 'correctRate' && (
        <div className="badge-bulk">
          <Field id={`${id}-rate`} label={t('achievements.minCorrectRate')} error={fieldError('rule.minCorrectRate')}>
            {(p) => <input {...p} type="number" step="0.01" min="0" max="1" value={value.minCorrectRate} onChange={(e) => set({ minCorrectRate: e.target.value })} />}
          </Field>
          <Field id={`${id}-answers`} label={t('achievements.minAnswers')} error={fieldError('rule.minAnswers')}>
            {(p) => <input {...p} type="number" step="1" min="1" value={value.minAnswers} onChange={(e) => set({ minAnswers: e.target.value })} />}
          </Field>
          <Field id={`${id}-days`} label={t('achievements.days')} error={fieldError('rule.days')}>
            {(p) => <input {...p} type="number" step="1" min="1" value={value.days} onChange={(e) => set({ days: e.target.value })} />}
          </Field>
        </div>
      )}
    </fieldset>
  );
}

/** How many days the credentials stay valid (validUntil); empty: no expiry. */
export function ValidForDaysField({ id, value, onChange, error }: { id: string; value: string; onChange: (v: string) => void; error: string | undefined }) {
  const { t } = useI18n();
  return (
    <Field id={`${id}-valid`} label={t('achievements.validForDays')} error={error}>
      {(p) => (
        <>
          <input {...p} type="number" step="1" min="1" max="3650" value={value} onChange={(e) => onChange(e.target.value)} aria-describedby={[p['aria-describedby'], `${id}-valid-note`].filter(Boolean).join(' ')} />
          <span id={`${id}-valid-note`} className="muted small">
            {' '}
            {t('achievements.validForDaysNote')}
          </span>
        </>
      )}
    </Field>
  );
}

/** The form's end: the error no field claims, then submit and cancel. */
export function FormActions({ submitLabel, busy, onCancel, other }: { submitLabel: string; busy: boolean; onCancel: () => void; other: ReactNode }) {
  const { t } = useI18n();
  return (
    <>
      {other}
      <p className="badge-links">
        <button type="submit" className="button" disabled={busy}>
          {submitLabel}
        </button>
        <button type="button" className="button secondary" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </p>
    </>
  );
}
