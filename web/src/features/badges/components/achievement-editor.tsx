import { useDeferredValue, useId, useState } from 'react';
import { useI18n, type Translate } from '../../../lib/i18n/i18n.js';
import { ErrorMessage, Loading } from '../../../components/ui/status.js';
import type { ApiError } from '../../../lib/api-client.js';
import { createDefaultAchievements, deleteAchievement, editAchievement, useAchievements, type Achievement, type AchievementRule } from '../api/badges.js';
import { ConfirmButton } from './confirm-button.js';
import { ACHIEVEMENT_FIELDS, Field, FormActions, RuleFields, ruleDraft, ruleOf, ValidForDaysField, validForDaysOf } from './achievement-fields.js';
import { GroupAchievementForm } from './group-achievement-form.js';
import { useAction } from '../../../lib/use-action.js';
import './badges.css';

const PAGE = 25;
type Shown = 'all' | 'enabled' | 'disabled';

export const ruleText = (t: Translate, r: AchievementRule) =>
  r.kind === 'mastered' ? t('achievements.rule.mastered')
  : r.kind === 'rubricLevel' ? t('achievements.rule.rubricLevelText', { level: r.level })
  : t('achievements.rule.correctRateText', { rate: Math.round(r.minCorrectRate * 100), answers: r.minAnswers, days: r.days });

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
        <>
          <p>
            <button type="button" className="button secondary" disabled={defaults.busy} onClick={() => defaults.act(async () => t('achievements.created', { n: await createDefaultAchievements(framework) }))}>
              {t('achievements.createDefaults')}
            </button>{' '}
            <span className="muted small">{t('achievements.createDefaultsNote')}</span>
          </p>
          <GroupAchievementForm framework={framework} onCreated={(name) => setSaved(t('achievements.groupCreated', { name }))} />
        </>
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
                <AchievementRow key={a.id} a={a} canEdit={canEdit} open={editing === a.id} onToggle={() => setEditing(editing === a.id ? undefined : a.id)} onSaved={(name) => (setEditing(undefined), setSaved(t('achievements.saved', { name })))} onDeleted={setSaved} />
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

function AchievementRow({ a, canEdit, open, onToggle, onSaved, onDeleted }: { a: Achievement; canEdit: boolean; open: boolean; onToggle: () => void; onSaved: (name: string) => void; onDeleted: (message: string) => void }) {
  const { t } = useI18n();
  const formId = useId();
  return (
    <>
      <tr data-achievement={a.humanCode ?? a.id}>
        <td>
          <code>{a.humanCode}</code>
        </td>
        <th scope="row">{a.name}</th>
        <td className="small">
          {ruleText(t, a.rule)}
          {a.itemIds.length > 1 && <p>{t('achievements.groupOf', { n: a.itemIds.length })}</p>}
          {a.validForDays !== null && <p>{t('achievements.validFor', { days: a.validForDays })}</p>}
        </td>
        <td>{a.enabled ? t('achievements.on') : t('achievements.off')}</td>
        <td>
          {canEdit && (
            <span className="badge-links">
              <button type="button" className="button secondary small" aria-expanded={open} aria-controls={formId} onClick={onToggle} aria-label={t('achievements.editOf', { name: a.name })}>
                {t('achievements.edit')}
              </button>
              <ConfirmButton
                label={t('achievements.delete')}
                ariaLabel={t('achievements.deleteOf', { name: a.name })}
                title={t('achievements.deleteOf', { name: a.name })}
                confirmLabel={t('achievements.delete')}
                run={async () => (await deleteAchievement(a.id), t('achievements.deleted', { name: a.name }))}
                onDone={onDeleted}
              >
                <p>{t('achievements.deleteNote')}</p>
              </ConfirmButton>
            </span>
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

function AchievementForm({ a, onSaved, onCancel }: { a: Achievement; onSaved: (name: string) => void; onCancel: () => void }) {
  const { t } = useI18n();
  const id = useId();
  const [name, setName] = useState(a.name);
  const [description, setDescription] = useState(a.description);
  const [narrative, setNarrative] = useState(a.criteriaNarrative);
  const [rule, setRule] = useState(() => ruleDraft(a.rule));
  const [validForDays, setValidForDays] = useState(a.validForDays === null ? '' : String(a.validForDays));
  const [enabled, setEnabled] = useState(a.enabled);
  const { busy, error, act } = useAction();
  // The API names the field it refuses (`rule.minAnswers`…): the message goes next to that field.
  const fieldError = (field: string) => (error?.field === field ? error.message : undefined);
  const other: ApiError | undefined = error && !ACHIEVEMENT_FIELDS.includes(error.field ?? '') ? error : undefined;

  return (
    <form
      className="achievement-form"
      noValidate
      aria-label={t('achievements.editOf', { name: a.name })}
      onSubmit={async (e) => {
        e.preventDefault();
        let savedName = name;
        const ok = await act(async () => {
          savedName = (await editAchievement(a.id, { name, description, criteriaNarrative: narrative, rule: ruleOf(rule), enabled, validForDays: validForDaysOf(validForDays) })).name;
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
      <RuleFields id={id} value={rule} onChange={setRule} fieldError={fieldError} />
      <ValidForDaysField id={id} value={validForDays} onChange={setValidForDays} error={fieldError('validForDays')} />
      <label>
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> {t('achievements.enabledLabel')}
      </label>
      <FormActions submitLabel={t('achievements.save')} busy={busy} onCancel={onCancel} other={other && <ErrorMessage error={other} />} />
    </form>
  );
}
