import { useDeferredValue, useId, useState } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import { ErrorMessage, Loading } from '../../../components/ui/status.js';
import { createGroupAchievement, useGroupChoices, type GroupChoices } from '../api/badges.js';
import { useAction } from '../../../lib/use-action.js';
import { ACHIEVEMENT_FIELDS, Field, FormActions, RuleFields, ruleDraft, ruleOf, ValidForDaysField, validForDaysOf } from './achievement-fields.js';

type Mode = 'unit' | 'items';
const SHOWN_MATCHES = 10;
const unitKey = (u: { document: string; id: string }) => `${u.document}\u0000${u.id}`;

/**
 * "New group badge": one Achievement over a textbook unit (the framework's own units or a publisher's scheme, as the
 * map's unit view shows them) or over items searched and picked one by one; its name, rule and validity. The API's
 * message appears next to the field it names (`itemIds[2]`, `unit.id`, `rule.days`…).
 */
export function GroupAchievementForm({ framework, onCreated }: { framework: string; onCreated: (name: string) => void }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const formId = useId();
  return (
    <section className="group-achievement" aria-label={t('achievements.group.new')}>
      <button type="button" className="button secondary" aria-expanded={open} aria-controls={formId} onClick={() => setOpen(!open)}>
        {t('achievements.group.new')}
      </button>{' '}
      <span className="muted small">{t('achievements.group.note')}</span>
      {open && (
        <div id={formId}>
          <GroupForm framework={framework} onCreated={(name) => (setOpen(false), onCreated(name))} onCancel={() => setOpen(false)} />
        </div>
      )}
    </section>
  );
}

function GroupForm({ framework, onCreated, onCancel }: { framework: string; onCreated: (name: string) => void; onCancel: () => void }) {
  const { t } = useI18n();
  const id = useId();
  const choices = useGroupChoices(framework);
  const [mode, setMode] = useState<Mode>('unit');
  const [unit, setUnit] = useState('');
  const [picked, setPicked] = useState<string[]>([]);
  const [name, setName] = useState('');
  const [rule, setRule] = useState(() => ruleDraft({ kind: 'mastered' }));
  const [validForDays, setValidForDays] = useState('');
  const { busy, error, act } = useAction();

  if (choices.loading) return <Loading />;
  if (choices.error || !choices.data) return choices.error ? <ErrorMessage error={choices.error} onRetry={choices.reload} /> : null;
  const { items, units } = choices.data;
  const fieldError = (field: string) => (error?.field === field ? error.message : undefined);
  // What was picked: `itemIds`, `itemIds[2]`, `unit`, `unit.id`… go next to the picker.
  const pickError = error?.field && /^(itemIds|unit)\b/.test(error.field) ? error.message : undefined;
  const other = error && !pickError && !ACHIEVEMENT_FIELDS.includes(error.field ?? '') ? error : undefined;
  const chosenUnit = units.find((u) => unitKey(u) === unit);

  return (
    <form
      className="achievement-form"
      noValidate
      aria-label={t('achievements.group.new')}
      onSubmit={async (e) => {
        e.preventDefault();
        let created = name;
        const ok = await act(async () => {
          const group = mode === 'unit' ? (chosenUnit ? { unit: { document: chosenUnit.document, id: chosenUnit.id } } : {}) : { itemIds: picked };
          created = (await createGroupAchievement({ framework, ...group, name, rule: ruleOf(rule), validForDays: validForDaysOf(validForDays) })).name;
          return '';
        });
        if (ok) onCreated(created);
      }}
    >
      <fieldset>
        <legend>{t('achievements.group.kind')}</legend>
        {(['unit', 'items'] as const).map((m) => (
          <label key={m}>
            <input type="radio" name={`${id}-mode`} checked={mode === m} onChange={() => setMode(m)} /> {t(`achievements.group.${m}`)}
          </label>
        ))}
      </fieldset>
      {mode === 'unit' ? (
        <Field id={`${id}-unit`} label={t('achievements.group.unitSelect')} error={pickError}>
          {(p) => (
            <select
              {...p}
              value={unit}
              onChange={(e) => {
                setUnit(e.target.value);
                const u = units.find((x) => unitKey(x) === e.target.value);
                if (u && !name) setName(u.label);
              }}
            >
              <option value="">{t('achievements.group.chooseUnit')}</option>
              {[...new Set(units.map((u) => u.document))].map((doc) => (
                <optgroup key={doc} label={units.find((u) => u.document === doc)!.documentTitle}>
                  {units
                    .filter((u) => u.document === doc)
                    .map((u) => (
                      <option key={unitKey(u)} value={unitKey(u)}>
                        {t('achievements.group.unitOption', { label: u.label, n: u.itemIds.length })}
                      </option>
                    ))}
                </optgroup>
              ))}
            </select>
          )}
        </Field>
      ) : (
        <ItemPicker id={id} items={items} picked={picked} onChange={setPicked} error={pickError} badIndex={/^itemIds\[(\d+)\]$/.exec(error?.field ?? '')?.[1]} />
      )}
      <Field id={`${id}-name`} label={t('achievements.name')} error={fieldError('name')}>
        {(p) => <input {...p} type="text" value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <RuleFields id={id} value={rule} onChange={setRule} fieldError={fieldError} />
      <ValidForDaysField id={id} value={validForDays} onChange={setValidForDays} error={fieldError('validForDays')} />
      <FormActions submitLabel={t('achievements.group.create')} busy={busy} onCancel={onCancel} other={other && <ErrorMessage error={other} />} />
    </form>
  );
}

/** Search the framework's content items by code or words and pick them; the picked list says which one the API refused. */
function ItemPicker({ id, items, picked, onChange, error, badIndex }: { id: string; items: GroupChoices['items']; picked: string[]; onChange: (ids: string[]) => void; error: string | undefined; badIndex: string | undefined }) {
  const { t } = useI18n();
  const [query, setQuery] = useState('');
  const deferred = useDeferredValue(query.trim().toLowerCase());
  const byId = new Map(items.map((i) => [i.id, i]));
  const matches = deferred ? items.filter((i) => !picked.includes(i.id) && `${i.code} ${i.fullStatement}`.toLowerCase().includes(deferred)) : [];
  return (
    <div className="item-picker">
      <Field id={`${id}-search`} label={t('achievements.group.search')} error={error}>
        {(p) => <input {...p} type="search" value={query} onChange={(e) => setQuery(e.target.value)} />}
      </Field>
      {deferred && (
        <>
          <p className="muted small" aria-live="polite">
            {t('achievements.group.matches', { n: matches.length, shown: Math.min(matches.length, SHOWN_MATCHES) })}
          </p>
          <ul className="item-matches">
            {matches.slice(0, SHOWN_MATCHES).map((i) => (
              <li key={i.id}>
                <button type="button" className="button secondary small" onClick={() => onChange([...picked, i.id])} aria-label={t('achievements.group.addOf', { code: i.code })}>
                  {t('achievements.group.add')}
                </button>{' '}
                <code>{i.code}</code> {i.fullStatement}
              </li>
            ))}
          </ul>
        </>
      )}
      <h3 className="small">{t('achievements.group.picked', { n: picked.length })}</h3>
      <ol className="item-picked" aria-label={t('achievements.group.picked', { n: picked.length })}>
        {picked.map((itemId, index) => {
          const i = byId.get(itemId);
          return (
            <li key={itemId} className={String(index) === badIndex ? 'field-invalid' : undefined}>
              <code>{i?.code ?? itemId}</code> {i?.fullStatement}{' '}
              <button type="button" className="button secondary small" onClick={() => onChange(picked.filter((x) => x !== itemId))} aria-label={t('achievements.group.removeOf', { code: i?.code ?? itemId })}>
                {t('achievements.group.remove')}
              </button>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
