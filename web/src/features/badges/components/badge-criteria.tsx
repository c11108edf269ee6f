import { useId, useState } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import { ErrorMessage } from '../../../components/ui/status.js';
import { setBadgeCriteria, useBadgeCriteria } from '../api/badges.js';
import { useAction } from '../../../lib/use-action.js';

/**
 * What the framework's candidates need beyond each achievement's rule, which its teachers choose: the answers the
 * rule counts on at least N days (2 by default: a burst in one sitting is not yet a badge). Saving re-evaluates the
 * candidates and says how many were withdrawn and proposed.
 */
export function BadgeCriteriaForm({ framework }: { framework: string }) {
  const { t } = useI18n();
  const inputId = useId();
  const criteria = useBadgeCriteria(framework);
  const [days, setDays] = useState<string>();
  const { busy, result, error, act } = useAction();
  if (!criteria.data) return criteria.error ? <ErrorMessage error={criteria.error} onRetry={criteria.reload} /> : null;
  const value = days ?? String(criteria.data.minDays);
  const n = Number(value);
  const valid = Number.isInteger(n) && n >= 1 && n <= 30;
  return (
    <form
      className="badge-bulk badge-criteria"
      onSubmit={(e) => {
        e.preventDefault();
        void act(async () => {
          const r = await setBadgeCriteria(framework, n);
          setDays(undefined);
          return t('badges.criteriaSaved', { n: r.minDays, withdrawn: r.withdrawn, proposed: r.proposed });
        });
      }}
    >
      <label htmlFor={inputId}>{t('badges.criteriaDays')}</label>
      <input id={inputId} type="number" min={1} max={30} step={1} value={value} onChange={(e) => setDays(e.target.value)} style={{ width: '4rem' }} />
      <span className="muted small">{t(criteria.data.chosen ? 'badges.criteriaNote' : 'badges.criteriaDefault')}</span>
      <button type="submit" className="button secondary small" disabled={busy || !valid || n === criteria.data.minDays}>
        {t('common.save')}
      </button>
      <span role="status" className="small">
        {result}
      </span>
      {error && <ErrorMessage error={error} />}
    </form>
  );
}
