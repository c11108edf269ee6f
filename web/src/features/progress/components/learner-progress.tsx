import './learner-progress.css';
import { useI18n } from '../../../lib/i18n/i18n.js';
import { ErrorMessage, Loading } from '../../../components/ui/status.js';
import { useNextSteps } from '../api/get-next-steps.js';
import { useChanges } from '../api/get-changes.js';
import { StateChip } from '../../../components/ui/state-chip.js';
import { ResourceLinks } from '../../resources/components/resource-links.js';

/**
 * The learner's side of the map: what changed since the school year began, and what to learn next. `heading`: the
 * learner's own ("わたしの学習") or, for their teacher, theirs by name.
 */
export function LearnerProgress({ learner, heading, framework, since, onOpenItem }: { learner: string; heading: string; framework: string; since: string; onOpenItem: (id: string) => void }) {
  const { t, formatDate } = useI18n();
  const next = useNextSteps(learner, framework, undefined);
  const changes = useChanges(learner, framework, since, undefined);
  return (
    <section className="learner-progress" aria-labelledby="learner-progress-title">
      <h2 id="learner-progress-title">{heading}</h2>
      <div className="learner-progress-grid">
        <div className="card">
          <h3>{t('progress.nextSteps')}</h3>
          <p className="muted small">{t('progress.nextStepsNote')}</p>
          {next.loading && <Loading />}
          {next.error && <ErrorMessage error={next.error} onRetry={next.reload} />}
          {next.data &&
            (next.data.items.length === 0 ? (
              <p className="muted">{t('progress.noNextSteps')}</p>
            ) : (
              <ol className="next-steps">
                {next.data.items.map(({ item, progress, resources }) => (
                  <li key={item.id} data-item={item.id}>
                    <button type="button" className="link-button" onClick={() => onOpenItem(item.id)}>
                      {item.grade && t('map.grade', { grade: item.grade })} {item.category}: {item.fullStatement}
                    </button>{' '}
                    <StateChip state={progress.state} label={progress.label} blocked={progress.blocked} />
                    <ResourceLinks resources={resources} />
                  </li>
                ))}
              </ol>
            ))}
        </div>
        <div className="card">
          <h3>{t('progress.changes', { from: formatDate(since) })}</h3>
          {changes.loading && <Loading />}
          {changes.error && <ErrorMessage error={changes.error} onRetry={changes.reload} />}
          {changes.data && (
            <>
              <p>{t('progress.changesSummary', changes.data.summary)}</p>
              <ul className="changes">
                {changes.data.changes.slice(0, 12).map((c) => (
                  <li key={c.item.id}>
                    <button type="button" className="link-button" onClick={() => onOpenItem(c.item.id)}>
                      {c.item.fullStatement}
                    </button>{' '}
                    <span className="muted small">
                      {t(`state.${c.before.state}`)} {c.before.label ?? ''} → {t(`state.${c.after.state}`)} {c.after.label ?? ''}
                    </span>
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      </div>
    </section>
  );
}
