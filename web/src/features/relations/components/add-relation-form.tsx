import { useId, useMemo, useState } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import { ApiError } from '../../../lib/api-client.js';
import { ErrorMessage } from '../../../components/ui/status.js';
import { addRelation, type RelationType } from '../api/relations.js';
import { matchItems, type PickableItem } from '../lib/match-items.js';
import './relations.css';

const MAX_SHOWN = 50;

/** Search by code or words, then pick from the matches (a list box: arrows, Home/End, type-ahead). */
function ItemPicker({ id, label, items, value, onChange, error }: { id: string; label: string; items: PickableItem[]; value: string; onChange: (v: string) => void; error: string | undefined }) {
  const { t } = useI18n();
  const [query, setQuery] = useState('');
  const matches = useMemo(() => matchItems(items, query, MAX_SHOWN), [items, query]);
  const picked = items.find((i) => i.identifier === value);
  // The picked item stays listed while the search moves on.
  const shown = picked && !matches.includes(picked) ? [picked, ...matches] : matches;
  return (
    <div className="relations-field relations-picker">
      <label htmlFor={`${id}-q`}>{t('relations.add.search', { which: label })}</label>
      <input id={`${id}-q`} type="search" value={query} onChange={(e) => setQuery(e.target.value)} autoComplete="off" />
      <label htmlFor={id}>{label}</label>
      <select id={id} size={6} value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={!!error} aria-describedby={error ? `${id}-error` : undefined}>
        {/* Without it, a list box with no pick would show its first match as picked. */}
        <option value="">{t('relations.add.none')}</option>
        {shown.map((i) => (
          <option key={i.identifier} value={i.identifier}>
            {i.code ? `${i.code}  ` : ''}
            {i.text.length > 110 ? `${i.text.slice(0, 110)}…` : i.text}
          </option>
        ))}
      </select>
      {!matches.length && <p className="muted">{t('relations.add.noMatch')}</p>}
      {error && (
        <p id={`${id}-error`} className="relations-field-error">
          {error}
        </p>
      )}
    </div>
  );
}

/**
 * "Add a relation" the estimators missed: origin and destination items, precedes or isRelatedTo, a comment; it
 * becomes an accepted CFAssociation at once (POST /api/relations/{framework}/relations). The API's message appears
 * next to the field it names.
 */
export function AddRelationForm({ framework, items, others = [], destinationFramework = framework, onDestinationFramework, destinationItems = items }: {
  framework: string;
  items: PickableItem[];
  /** Other frameworks the destination may come from (a cross-subject relation), and the one picked. */
  others?: Array<{ identifier: string; title: string }>;
  destinationFramework?: string;
  onDestinationFramework?: (identifier: string) => void;
  destinationItems?: PickableItem[];
}) {
  const { t } = useI18n();
  const id = useId();
  const [origin, setOrigin] = useState('');
  const [destination, setDestination] = useState('');
  const [type, setType] = useState<RelationType>('precedes');
  const [comment, setComment] = useState('');
  const [error, setError] = useState<ApiError | undefined>();
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);
  const fields = ['origin', 'destination', 'type', 'comment'];
  const fieldError = (field: string) => (error?.field === field ? error.message : undefined);

  const submit = async () => {
    setNotice('');
    // Nothing picked yet: say so by the field, without a round trip.
    const missing = !origin ? 'origin' : !destination ? 'destination' : undefined;
    if (missing) return setError(new ApiError(400, 'invalid_request', t('relations.add.pick'), missing));
    setError(undefined);
    setBusy(true);
    try {
      const s = await addRelation(framework, { origin, destination, type, ...(comment.trim() ? { comment: comment.trim() } : {}) });
      setNotice(t('relations.add.done', { id: s.associationIdentifier ?? '' }));
      setOrigin('');
      setDestination('');
      setComment('');
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'internal', String(e)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="relations-panel relations-add" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{t('relations.add.heading')}</h2>
      <p className="muted">{t('relations.add.intro')}</p>
      <form
        className="relations-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div className="relations-add-pair">
          <ItemPicker id={`${id}-origin`} label={t('relations.origin')} items={items} value={origin} onChange={setOrigin} error={fieldError('origin')} />
          <div className="relations-field">
            {others.length > 0 && onDestinationFramework && (
              <>
                <label htmlFor={`${id}-destination-framework`}>{t('relations.add.destinationFramework')}</label>
                <select
                  id={`${id}-destination-framework`}
                  value={destinationFramework}
                  onChange={(e) => {
                    setDestination('');
                    onDestinationFramework(e.target.value);
                  }}
                >
                  <option value={framework}>{t('relations.add.thisFramework')}</option>
                  {others.map((f) => (
                    <option key={f.identifier} value={f.identifier}>{f.title}</option>
                  ))}
                </select>
              </>
            )}
            <ItemPicker id={`${id}-destination`} label={t('relations.destination')} items={destinationItems} value={destination} onChange={setDestination} error={fieldError('destination')} />
          </div>
        </div>
        <div className="relations-field">
          <label htmlFor={`${id}-type`}>{t('relations.type')}</label>
          <select id={`${id}-type`} value={type} onChange={(e) => setType(e.target.value as RelationType)} aria-invalid={!!fieldError('type')}>
            <option value="precedes">{t('relations.type.precedes')}（{t('relations.add.precedes')}）</option>
            <option value="isRelatedTo">{t('relations.type.isRelatedTo')}（{t('relations.add.isRelatedTo')}）</option>
          </select>
          {fieldError('type') && <p className="relations-field-error">{fieldError('type')}</p>}
        </div>
        <div className="relations-field">
          <label htmlFor={`${id}-comment`}>{t('relations.comment')}</label>
          <input id={`${id}-comment`} value={comment} onChange={(e) => setComment(e.target.value)} maxLength={2000} aria-invalid={!!fieldError('comment')} />
          {fieldError('comment') && <p className="relations-field-error">{fieldError('comment')}</p>}
        </div>
        <button type="submit" disabled={busy}>{t('relations.add.submit')}</button>
      </form>
      {notice && <p role="status" className="relations-notice">{notice}</p>}
      {error && !fields.includes(error.field ?? '') && <ErrorMessage error={error} />}
    </section>
  );
}
