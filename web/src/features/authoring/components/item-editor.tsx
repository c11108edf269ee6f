import { useId, useState, type FormEvent } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import type { MessageKey } from '../../../lib/i18n/ja.js';
import { ApiError } from '../../../lib/api-client.js';
import { RichText } from '../../../components/ui/rich-text.js';
import { ErrorMessage, Loading } from '../../../components/ui/status.js';
import type { CFItem } from '../../frameworks/lib/case-types.js';
import { patchItem, useItem, type DefinitionList, type Definitions } from '../api/authoring.js';
import { WriteError } from './conflict.js';

/** The CFItem fields the form edits: text, a list (comma separated), or a long text with a preview (Markdown/LaTeX). */
type Field = { name: string; kind: 'text' | 'list' | 'long' | 'date' } | { name: string; kind: 'link' | 'links'; list: DefinitionList };
const FIELDS: Field[] = [
  { name: 'fullStatement', kind: 'long' },
  { name: 'abbreviatedStatement', kind: 'text' },
  { name: 'alternativeLabel', kind: 'text' },
  { name: 'humanCodingScheme', kind: 'text' },
  { name: 'listEnumeration', kind: 'text' },
  { name: 'CFItemType', kind: 'text' },
  { name: 'CFItemTypeURI', kind: 'link', list: 'CFItemTypes' },
  { name: 'conceptKeywordsURI', kind: 'link', list: 'CFConcepts' },
  { name: 'subjectURI', kind: 'links', list: 'CFSubjects' },
  { name: 'licenseURI', kind: 'link', list: 'CFLicenses' },
  { name: 'educationLevel', kind: 'list' },
  { name: 'conceptKeywords', kind: 'list' },
  { name: 'subject', kind: 'list' },
  { name: 'language', kind: 'text' },
  { name: 'statusStartDate', kind: 'date' },
  { name: 'statusEndDate', kind: 'date' },
  { name: 'notes', kind: 'long' },
];

type Values = Record<string, string>;
/** The form's string for a field: a list joined, a link (or the first of links) by its identifier. */
const valueOf = (v: unknown): string => {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.length && typeof v[0] === 'object' ? valueOf(v[0]) : v.join(', ');
  if (v && typeof v === 'object' && 'identifier' in v) return String(v.identifier);
  return '';
};
const fromItem = (item: CFItem): Values => Object.fromEntries(FIELDS.map((f) => [f.name, valueOf((item as unknown as Record<string, unknown>)[f.name])]));
const toValue = (f: Field, v: string) => (f.kind === 'list' ? v.split(/\s*[,、]\s*/).filter(Boolean) : f.kind === 'link' ? { identifier: v } : f.kind === 'links' ? [{ identifier: v }] : v);
/** A JSON merge patch (RFC 7396) of the fields changed: an emptied field is removed (null). */
const toPatch = (before: Values, now: Values) =>
  Object.fromEntries(
    FIELDS.filter((f) => before[f.name] !== now[f.name]).map((f) => {
      const v = now[f.name]!.trim();
      return [f.name, v ? toValue(f, v) : null];
    }),
  );

function Form({ fid, item, etag, definitions, onSaved, onReload }: { fid: string; item: CFItem; etag: string | undefined; definitions: Definitions; onSaved: () => void; onReload: () => void }) {
  const { t } = useI18n();
  const id = useId();
  const initial = fromItem(item);
  const [values, setValues] = useState(initial);
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  // The API names the field of a 400 as `CFItem.fullStatement` (or the bare name).
  const errorField = error?.status === 400 ? error.field?.replace(/^CFItem\./, '').split('.')[0] : undefined;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await patchItem(fid, item.identifier, toPatch(initial, values), etag);
      onSaved();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'internal', String(err)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="item-editor" onSubmit={(e) => void submit(e)} noValidate>
      {FIELDS.map((f) => {
        const fieldId = `${id}-${f.name}`;
        const invalid = errorField === f.name;
        const common = {
          id: fieldId,
          name: f.name,
          value: values[f.name],
          'aria-invalid': invalid || undefined,
          'aria-describedby': invalid ? `${fieldId}-error` : f.kind === 'list' ? `${id}-list-hint` : undefined,
          onChange: (e: { target: { value: string } }) => setValues((v) => ({ ...v, [f.name]: e.target.value })),
        };
        return (
          <div className="field" key={f.name}>
            <label htmlFor={fieldId}>{t(`authoring.field.${f.name}` as MessageKey)}</label>
            {f.kind === 'long' ? (
              <textarea rows={f.name === 'notes' ? 3 : 4} required={f.name === 'fullStatement'} {...common} />
            ) : f.kind === 'link' || f.kind === 'links' ? (
              <select {...common}>
                <option value="">{t('authoring.none')}</option>
                {(definitions[f.list] ?? []).map((d) => (
                  <option key={d.identifier} value={d.identifier}>{[d.hierarchyCode, d.title].filter(Boolean).join(' ')}</option>
                ))}
              </select>
            ) : (
              <input type={f.kind === 'date' ? 'date' : 'text'} {...common} />
            )}
            {invalid && (
              <p id={`${fieldId}-error`} className="field-error" lang="en">
                {error!.message}
              </p>
            )}
            {f.kind === 'long' && values[f.name] && (
              <div className="preview" aria-label={t('authoring.preview')} role="group">
                <RichText text={values[f.name]!} />
              </div>
            )}
          </div>
        );
      })}
      <p id={`${id}-list-hint`} className="muted small">{t('authoring.listHint')}</p>
      {error && (errorField ? <p className="status error" role="alert">{t('authoring.fixField')}</p> : <WriteError error={error} onReload={onReload} />)}
      <p>
        <button type="submit" className="button" disabled={busy}>{t('common.save')}</button>
      </p>
    </form>
  );
}

/** One CFItem's editor: read with its ETag, saved as a merge patch with If-Match (412: someone else changed it). */
export function ItemEditor({ fid, itemId, rev, definitions, onSaved, onReload }: { fid: string; itemId: string; rev: number; definitions: Definitions; onSaved: () => void; onReload: () => void }) {
  const { t } = useI18n();
  const q = useItem(fid, itemId, rev);
  const [saved, setSaved] = useState(false);
  if (q.loading) return <Loading />;
  if (q.error) return <ErrorMessage error={q.error} onRetry={q.reload} />;
  const { data: item, etag } = q.data!;
  return (
    <section className="authoring-item card" aria-labelledby={`${itemId}-h`}>
      <h2 id={`${itemId}-h`}>{t('authoring.itemHeading')}</h2>
      <Form key={etag} fid={fid} item={item} etag={etag} definitions={definitions} onSaved={() => (setSaved(true), onSaved())} onReload={() => (setSaved(false), onReload())} />
      <p role="status">{saved ? t('authoring.saved') : ''}</p>
    </section>
  );
}
