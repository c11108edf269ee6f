import { useCallback, useEffect, useMemo, useState } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import type { MessageKey } from '../../../lib/i18n/ja.js';
import { ApiError } from '../../../lib/api-client.js';
import { ErrorMessage, Loading } from '../../../components/ui/status.js';
import { decideSuggestions, useSuggestions, type ItemView, type QueueFilter, type RelationType, type ReviewAction, type Suggestion } from '../api/relations.js';
import { estimatorText, rationaleText, relationTypeText } from '../lib/rationale.js';
import './relations.css';

function ItemCard({ item, label, framework }: { item: ItemView; label: string; framework: string }) {
  const { t } = useI18n();
  const other = item.framework && item.framework.identifier !== framework ? item.framework : undefined;
  return (
    <div className={other ? 'relation-item relation-item-other' : 'relation-item'} data-framework={item.framework?.identifier}>
      <div className="relation-item-label">{label}</div>
      {other && <p className="relation-item-framework">{t('relations.otherFramework', { title: other.title })}</p>}
      <ol className="relation-path">
        {item.path.slice(-3).map((p, i) => (
          <li key={i}>{p}</li>
        ))}
      </ol>
      <p className="relation-text">
        {item.code && <code>{item.code}</code>} {item.text}
      </p>
    </div>
  );
}

/**
 * The review queue: both items side by side with their places, filters and sort, single and bulk decisions.
 * Keys: j/k move, x select, a accept, r reject, f flip, t change type.
 */
export function ReviewQueue({ framework }: { framework: string }) {
  const { t } = useI18n();
  const [filter, setFilter] = useState<QueueFilter>({ status: 'pending', sort: '-confidence' });
  const list = useSuggestions(framework, filter);
  const [cursor, setCursor] = useState(0);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [comment, setComment] = useState('');
  const [error, setError] = useState<ApiError | undefined>();
  const [notice, setNotice] = useState('');
  const rows = useMemo(() => list.data?.suggestions ?? [], [list.data]);
  const current: Suggestion | undefined = rows[Math.min(cursor, rows.length - 1)];

  const act = useCallback(
    async (action: ReviewAction, ids: string[], extra: { type?: RelationType; comment?: string } = {}) => {
      if (!ids.length) return;
      setError(undefined);
      try {
        await decideSuggestions(framework, ids, action, { ...extra, ...(comment.trim() && action !== 'comment' ? { comment: comment.trim() } : {}) });
        setNotice(t(`relations.done.${action}` as MessageKey, { count: ids.length }));
        setSelected(new Set());
        setComment('');
      } catch (e) {
        setError(e instanceof ApiError ? e : new ApiError(0, 'internal', String(e)));
      }
    },
    [framework, comment, t],
  );
  const other = (s: Suggestion): RelationType => (s.type === 'precedes' ? 'isRelatedTo' : 'precedes');

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const el = e.target as HTMLElement;
      if (el.closest('input, textarea, select') || e.ctrlKey || e.metaKey || e.altKey || !current) return;
      const ids = selected.size ? [...selected] : [current.id];
      const handlers: Record<string, () => void> = {
        j: () => setCursor((c) => Math.min(rows.length - 1, c + 1)),
        k: () => setCursor((c) => Math.max(0, c - 1)),
        x: () => setSelected((s) => { const n = new Set(s); if (n.has(current.id)) n.delete(current.id); else n.add(current.id); return n; }),
        a: () => void act('accept', ids),
        r: () => void act('reject', ids),
        f: () => void act('flip', [current.id]),
        t: () => void act('change-type', [current.id], { type: other(current) }),
      };
      const h = handlers[e.key];
      if (h) {
        e.preventDefault();
        h();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [rows, current, selected, act]);

  return (
    <div className="relations-queue">
      <div className="relations-filters" role="group" aria-label={t('relations.filters')}>
        <label>
          {t('relations.status')}{' '}
          <select value={filter.status} onChange={(e) => setFilter({ ...filter, status: e.target.value })}>
            {['pending', 'accepted', 'rejected', 'superseded'].map((s) => (
              <option key={s} value={s}>{t(`relations.status.${s}` as MessageKey)}</option>
            ))}
          </select>
        </label>
        <label>
          {t('relations.type')}{' '}
          <select value={filter.type ?? ''} onChange={(e) => setFilter({ ...filter, type: (e.target.value || undefined) as RelationType | undefined })}>
            <option value="">{t('relations.all')}</option>
            <option value="precedes">{t('relations.type.precedes')}</option>
            <option value="isRelatedTo">{t('relations.type.isRelatedTo')}</option>
          </select>
        </label>
        <label>
          {t('relations.domain')}{' '}
          <select value={filter.domain ?? ''} onChange={(e) => setFilter({ ...filter, domain: e.target.value || undefined })}>
            <option value="">{t('relations.all')}</option>
            {(list.data?.domains ?? []).map((d) => (
              <option key={d} value={d}>{d}</option>
            ))}
          </select>
        </label>
        <label>
          {t('relations.sort')}{' '}
          <select value={filter.sort} onChange={(e) => setFilter({ ...filter, sort: e.target.value as QueueFilter['sort'] })}>
            <option value="-confidence">{t('relations.sort.confidenceDesc')}</option>
            <option value="confidence">{t('relations.sort.confidenceAsc')}</option>
            <option value="domain">{t('relations.domain')}</option>
          </select>
        </label>
      </div>
      <p className="muted">{t('relations.keys')}</p>
      {notice && <p role="status" className="relations-notice">{notice}</p>}
      {error && <ErrorMessage error={error} />}
      {list.loading && !list.data ? (
        <Loading />
      ) : list.error ? (
        <ErrorMessage error={list.error} onRetry={list.reload} />
      ) : (
        <>
          <p>{t('relations.count', { shown: rows.length, total: list.data?.total ?? 0 })}</p>
          {selected.size > 0 && (
            <div className="relations-bulk" role="group" aria-label={t('relations.bulk')}>
              {t('relations.selected', { count: selected.size })}{' '}
              <button type="button" onClick={() => void act('accept', [...selected])}>{t('relations.acceptSelected')}</button>{' '}
              <button type="button" onClick={() => void act('reject', [...selected])}>{t('relations.rejectSelected')}</button>
            </div>
          )}
          <ul className="relations-list" aria-label={t('relations.heading')}>
            {rows.map((s, i) => (
              <li key={s.id} className={`relation-row${i === cursor ? ' current' : ''}`} aria-current={i === cursor ? 'true' : undefined} data-suggestion={s.id} onClick={() => setCursor(i)}>
                <div className="relation-head">
                  <input type="checkbox" aria-label={t('relations.select')} checked={selected.has(s.id)} onChange={() => setSelected((x) => { const n = new Set(x); if (n.has(s.id)) n.delete(s.id); else n.add(s.id); return n; })} />
                  <strong className="relation-type">{relationTypeText(t, s.type)}</strong>
                  {s.confidence !== null ? (
                    <span className="relation-confidence">{t('relations.confidence')} {s.confidence.toFixed(2)}</span>
                  ) : (
                    <span className="relation-confidence relation-edited">{t('relations.edited', { type: relationTypeText(t, s.proposed.type), confidence: s.proposed.confidence.toFixed(2) })}</span>
                  )}
                  <span className="muted">{estimatorText(t, s.estimator, s.model)}</span>
                  {s.status !== 'pending' && <span className="relation-status">{t(`relations.status.${s.status}` as MessageKey)}</span>}
                </div>
                <div className="relation-pair">
                  <ItemCard item={s.origin} label={t('relations.origin')} framework={framework} />
                  <span className="relation-arrow" aria-hidden="true">{s.type === 'precedes' ? '→' : '↔'}</span>
                  <ItemCard item={s.destination} label={t('relations.destination')} framework={framework} />
                </div>
                {s.rationale && <p className="muted">{rationaleText(t, s.rationale)}</p>}
                {s.edited && s.proposed.rationale && <p className="muted">{t('relations.proposedRationale', { rationale: rationaleText(t, s.proposed.rationale) })}</p>}
                {s.comment && <p className="relation-comment">{s.comment}</p>}
                {i === cursor && s.status === 'pending' && (
                  <div className="relation-actions">
                    <button type="button" onClick={() => void act('accept', [s.id])}>{t('relations.accept')}</button>
                    <button type="button" onClick={() => void act('reject', [s.id])}>{t('relations.reject')}</button>
                    <button type="button" onClick={() => void act('flip', [s.id])}>{t('relations.flip')}</button>
                    <button type="button" onClick={() => void act('change-type', [s.id], { type: other(s) })}>{t('relations.changeType', { type: relationTypeText(t, other(s)) })}</button>
                    <label>
                      {t('relations.comment')}{' '}
                      <input value={comment} onChange={(e) => setComment(e.target.value)} />
                    </label>
                    <button type="button" disabled={!comment.trim()} onClick={() => void act('comment', [s.id], { comment: comment.trim() })}>{t('relations.saveComment')}</button>
                  </div>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
