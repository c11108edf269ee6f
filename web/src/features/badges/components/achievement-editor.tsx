import { useDeferredValue, useId, useState, type ReactNode } from 'react';
import { useI18n, type Translate } from '../../../lib/i18n/i18n.js';
import { ErrorMessage, Loading } from '../../../components/ui/status.js';
import type { ApiError } from '../../../lib/api-client.js';
import { createDefaultAchievements, editAchievement, useAchievements, type Achievement, type AchievementRule } from '../api/badges.js';
import { useAction } from '../hooks/use-action.js';
import './badges.css';

const PAGE = 25;
type Shown = 'all' | 'enabled' | 'disabled';

export const ruleText = (t: Translate, r: AchievementRule) =>
  r.kind === 'mastered' ? t('achievements.rule.mastered') : t('achievements.rule.correctRateText', { rate: Math.round(r.minCorrectRate * 100), answers: r.minAnswers, days: r.days });

/**
 * A framework's achievements (one per content item: 217 for 算数): search by code or words, filter by enabled,
 * a page at a time; authors and admins edit one at a time, and the API's validation message appears next to the
 * field it names (docs/badges.md). Teachers see them read-only; learners get the API's 403.
 */
export function AchievementEditor({ framework }: { framework: string }) {
  const { t } = useI18n();
  const list = useAchievements(framework);
  const [query, setQuery] = useState('');
  const deferred = useDeferredValue(query.trim().toLowerCase());
  const [shown, setShown] = useState<Shown>('all');
  const [page, setPage] = useState(0);
  const [editing, setEditing] = useState<string>();
  const defaults = useAction();
  const [saved, setSaved] = useState<string>();

  if (list.loading) return <Loading />;
  if (list.error || !list.data) return list.error ? <ErrorMessage error={list.error} onRetry={list.reload} /> : null;
  const { canEdit, achievements } = list.data;
  const filtered = achievements.filter(
    (a) => (shown === 'all' || a.enabled === (shown === 'enabled')) && (!deferred || `${a.humanCode ?? ''} ${a.name} ${a.description}`.toLowerCase().includes(deferred)),
  );
  const pages = Math.max(1, Math.ceil(filtered.length / PAGE));
  const current = Math.min(page, pages - 1);
  const rows = filtered.slice(current * PAGE, (current + 1) * PAGE);

  return (
    <div className="achievement-editor">
      <p role="status" className="badge-result">
        {defaults.result ?? saved}
      </p>
      {defaults.error && <ErrorMessage error={defaults.error} />}
      {canEdit ? (
        <p>
          <button type="button" className="button secondary" disabled={defaults.busy} onClick={() => defaults.act(async () => t('achievements.created', { n: await createDefaultAchievements(framework) }))}>
            {t('achievements.createDefaults')}
          </button>{' '}
          <span className="muted small">{t('achievements.createDefaultsNote')}</span>
        </p>
      ) : (
        <p className="muted">{t('achievements.readOnly')}</p>
      )}
      {achievements.length === 0 ? (
        <p className="muted">{t('achievements.none')}</p>
      ) : (
        <>
          <div className="badge-bulk">
            <label>
              {t('achievements.search')}{' '}
              <input
                type="search"
                value={query}
                onChange={(e) => {
                  setQuery(e.target.value);
                  setPage(0);
                }}
              />
            </label>
            <label>
              {t('achievements.shown')}{' '}
              <select
                value={shown}
                onChange={(e) => {
                  setShown(e.target.value as Shown);
                  setPage(0);
                }}
              >
                {(['all', 'enabled', 'disabled'] as const).map((s) => (
                  <option key={s} value={s}>
                    {t(`achievements.shown.${s}`)}
                  </option>
                ))}
              </select>
            </label>
            <span className="muted" aria-live="polite">
              {t('achievements.count', { n: filtered.length, from: filtered.length ? current * PAGE + 1 : 0, to: current * PAGE + rows.length })}
            </span>
          </div>
          <table className="badge-table achievement-table">
            <thead>
              <tr>
                <th scope="col">{t('achievements.code')}</th>
                <th scope="col">{t('achievements.name')}</th>
                <th scope="col">{t('achievements.rule')}</th>
                <th scope="col">{t('achievements.enabled')}</th>
                <th scope="col">{t('badges.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((a) => (
                <AchievementRow key={a.id} a={a} canEdit={canEdit} open={editing === a.id} onToggle={() => setEditing(editing === a.id ? undefined : a.id)} onSaved={(name) => (setEditing(undefined), setSaved(t('achievements.saved', { name })))} />
              ))}
            </tbody>
          </table>
          <nav className="pager badge-links" aria-label={t('achievements.pages')}>
            <button type="button" className="button secondary small" disabled={current === 0} onClick={() => setPage(current - 1)}>
              {t('achievements.previous')}
            </button>
            <span>{t('achievements.page', { page: current + 1, pages })}</span>
            <button type="button" className="button secondary small" disabled={current >= pages - 1} onClick={() => setPage(current + 1)}>
              {t('achievements.next')}
            </button>
          </nav>
        </>
      )}
    </div>
  );
}

function AchievementRow({ a, canEdit, open, onToggle, onSaved }: { a: Achievement; canEdit: boolean; open: boolean; onToggle: () => void; onSaved: (name: string) => void }) {
  const { t } = useI18n();
  const formId = useId();
  return (
    <>
      <tr data-achievement={a.humanCode ?? a.id}>
        <td>
          <code>{a.humanCode}</code>
        </td>
        <th scope="row">{a.name}</th>
        <td className="small">{ruleText(t, a.rule)}</td>
        <td>{a.enabled ? t('achievements.on') : t('achievements.off')}</td>
        <td>
          {canEdit && (
            <button type="button" className="button secondary small" aria-expanded={open} aria-controls={formId} onClick={onToggle} aria-label={t('achievements.editOf', { name: a.name })}>
              {t('achievements.edit')}
            </button>
          )}
        </td>
      </tr>
      {open && (
        <tr id={formId}>
          <td colSpan={5}>
            <AchievementForm a={a} onSaved={onSaved} onCancel={onToggle} />
          </td>
        </tr>
      )}
    </>
  );
}

/** A labelled control with the API's message for its field below it (and tied to it for screen readers). */
function Field({ id, label, error, children }: { id: string; label: string; error: string | undefined; children: (props: { id: string; 'aria-invalid': boolean; 'aria-describedby': string | undefined }) => ReactNode }) {
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

function AchievementForm({ a, onSaved, onCancel }: { a: Achievement; onSaved: (name: string) => void; onCancel: () => void }) {
  const { t } = useI18n();
  const id = useId();
  const [name, setName] = useState(a.name);
  const [description, setDescription] = useState(a.description);
  const [narrative, setNarrative] = useState(a.criteriaNarrative);
  const [kind, setKind] = useState(a.rule.kind);
  const rate = a.rule.kind === 'correctRate' ? a.rule : { minCorrectRate: 0.9, minAnswers: 10, days: 60 };
  const [minCorrectRate, setMinCorrectRate] = useState(String(rate.minCorrectRate));
  const [minAnswers, setMinAnswers] = useState(String(rate.minAnswers));
  const [days, setDays] = useState(String(rate.days));
  const [enabled, setEnabled] = useState(a.enabled);
  const { busy, error, act } = useAction();
  // The API names the field it refuses (`rule.minAnswers`…): the message goes next to that field.
  const fieldError = (field: string) => (error?.field === field ? error.message : undefined);
  const known = ['name', 'description', 'criteriaNarrative', 'rule', 'rule.minCorrectRate', 'rule.minAnswers', 'rule.days', 'enabled'];
  const other: ApiError | undefined = error && !known.includes(error.field ?? '') ? error : undefined;
  // Numbers as typed: an empty or odd value goes to the API, whose message says what it wants.
  const num = (v: string) => (v.trim() === '' ? null : Number(v));
  const rule = kind === 'mastered' ? { kind } : { kind, minCorrectRate: num(minCorrectRate), minAnswers: num(minAnswers), days: num(days) };

  return (
    <form
      className="achievement-form"
      noValidate
      aria-label={t('achievements.editOf', { name: a.name })}
      onSubmit={async (e) => {
        e.preventDefault();
        let savedName = name;
        const ok = await act(async () => {
          savedName = (await editAchievement(a.id, { name, description, criteriaNarrative: narrative, rule: rule as AchievementRule, enabled })).name;
          return '';
        });
        if (ok) onSaved(savedName);
      }}
    >
      <Field id={`${id}-name`} label={t('achievements.name')} error={fieldError('name')}>
        {(p) => <input {...p} type="text" value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <Field id={`${id}-description`} label={t('achievements.description')} error={fieldError('description')}>
        {(p) => <textarea {...p} rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />}
      </Field>
      <Field id={`${id}-narrative`} label={t('achievements.criteria')} error={fieldError('criteriaNarrative')}>
        {(p) => <textarea {...p} rows={2} value={narrative} onChange={(e) => setNarrative(e.target.value)} />}
      </Field>
      <fieldset className="rule-fields" aria-describedby={fieldError('rule') ? `${id}-rule-error` : undefined}>
        <legend>{t('achievements.rule')}</legend>
        {(['mastered', 'correctRate'] as const).map((k) => (
          <label key={k}>
            <input type="radio" name={`${id}-kind`} checked={kind === k} onChange={() => setKind(k)} /> {t(`achievements.rule.${k}`)}
          </label>
        ))}
        {fieldError('rule') && (
          <p id={`${id}-rule-error`} className="field-error">
            {fieldError('rule')}
          </p>
        )}
        {kind === 'correctRate' && (
          <div className="badge-bulk">
            <Field id={`${id}-rate`} label={t('achievements.minCorrectRate')} error={fieldError('rule.minCorrectRate')}>
              {(p) => <input {...p} type="number" step="0.01" min="0" max="1" value={minCorrectRate} onChange={(e) => setMinCorrectRate(e.target.value)} />}
            </Field>
            <Field id={`${id}-answers`} label={t('achievements.minAnswers')} error={fieldError('rule.minAnswers')}>
              {(p) => <input {...p} type="number" step="1" min="1" value={minAnswers} onChange={(e) => setMinAnswers(e.target.value)} />}
            </Field>
            <Field id={`${id}-days`} label={t('achievements.days')} error={fieldError('rule.days')}>
              {(p) => <input {...p} type="number" step="1" min="1" value={days} onChange={(e) => setDays(e.target.value)} />}
            </Field>
          </div>
        )}
      </fieldset>
      <label>
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> {t('achievements.enabledLabel')}
      </label>
      {other && <ErrorMessage error={other} />}
      <p className="badge-links">
        <button type="submit" className="button" disabled={busy}>
          {t('achievements.save')}
        </button>
        <button type="button" className="button secondary" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </p>
    </form>
  );
}
