import type { ReactNode } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import { ErrorMessage, Loading } from '../../../components/ui/status.js';
import type { ClassShare, ItemRubric, LearnerItemDetail, MapNode } from '../../../types/progress-api.js';
import type { QueryResult } from '../../../lib/use-query.js';
import { StateChip } from '../../../components/ui/state-chip.js';
import { RichText } from '../../../components/ui/rich-text.js';

const percent = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${Math.round(x * 100)}%`);
const EVIDENCE_SHOWN = 10;

/**
 * The learner's proficiency. The label is shown beside the figure it is judged on (the window's correct rate, or
 * the BKT probability when the scheme says so) with the thresholds, so the two never disagree; the BKT estimate,
 * when the label is not judged on it, is named as an estimate that decides neither label nor mastery.
 */
function ProgressFacts({ detail }: { detail: LearnerItemDetail }) {
  const { t, formatDate } = useI18n();
  const { progress, labelBasis, labels, window: n } = detail;
  const basisValue = labelBasis === 'probability' ? progress.probability : progress.correctRate;
  return (
    <dl className="facts progress-facts">
      <div>
        <dt>{t('panel.state')}</dt>
        <dd>
          <StateChip state={progress.state} blocked={progress.blocked} noRecord={progress.noRecord} />
        </dd>
      </div>
      <div>
        <dt>{t('panel.label')}</dt>
        <dd data-label-basis={labelBasis}>
          <strong className="label-value">{progress.label ?? '—'}</strong>
          {progress.label && basisValue !== null && (
            <span className="small">
              {' '}
              ({labelBasis === 'probability' ? t('panel.labelOnProbability', { value: percent(basisValue) }) : t('panel.labelOnRate', { n, value: percent(basisValue) })}: {labelScale(labels)})
            </span>
          )}
        </dd>
      </div>
      <div>
        <dt>{t('panel.correctRate', { n })}</dt>
        <dd>{percent(progress.correctRate)}</dd>
      </div>
      <div>
        <dt>{t('panel.answers')}</dt>
        <dd>
          {progress.correct} / {progress.attempts}
        </dd>
      </div>
      <div>
        <dt>{t('panel.probability')}</dt>
        <dd>
          {percent(progress.probability)}
          {labelBasis !== 'probability' && <span className="muted small probability-note"> {t('panel.probabilityNote')}</span>}
        </dd>
      </div>
      {progress.lastAt && (
        <div>
          <dt>{t('panel.lastAt')}</dt>
          <dd>{formatDate(progress.lastAt)}</dd>
        </div>
      )}
    </dl>
  );
}

/** "A ≥ 80% · B ≥ 50% · C": the thresholds, highest first. */
const labelScale = (labels: LearnerItemDetail['labels']) => labels.map((l) => (l.min > 0 ? `${l.label} ≥ ${percent(l.min)}` : l.label)).join(' · ');

/** The item's rubric: each level with its threshold and description; the learner's level and the mastery level marked. */
function RubricLevels({ rubric, label }: { rubric: ItemRubric; label: string | null }) {
  const { t } = useI18n();
  return (
    <section className="rubric" aria-labelledby="map-panel-rubric">
      <h3 id="map-panel-rubric">{t('panel.rubric')}</h3>
      <p className="muted small">
        <a href={`/uri/${rubric.rubric.identifier}`}>{rubric.rubric.title ?? rubric.rubric.identifier}</a>
        {rubric.criterion.description && ` · ${rubric.criterion.description}`}
      </p>
      <table className="rubric-levels">
        <thead>
          <tr>
            <th scope="col">{t('panel.rubricLevel')}</th>
            <th scope="col">{t('panel.rubricFrom')}</th>
            <th scope="col">{t('panel.rubricDescription')}</th>
          </tr>
        </thead>
        <tbody>
          {rubric.levels.map((l) => (
            <tr key={l.identifier} className={l.quality === label ? 'current' : undefined} aria-current={l.quality === label ? 'true' : undefined}>
              <th scope="row">
                {l.quality}
                {l.quality === label && <span className="small"> ({t('panel.rubricCurrent')})</span>}
                {l.identifier === rubric.mastery && <span className="small muted"> ({t('panel.rubricMastery')})</span>}
              </th>
              <td>{percent(l.min)}</td>
              <td>{l.description ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** A class map's item: how many of the class's learners are in each state. */
function ClassShareFacts({ share }: { share: ClassShare }) {
  const { t } = useI18n();
  const rows: Array<[string, number]> = [
    [t('state.mastered'), share.mastered],
    [t('state.in_progress'), share.inProgress],
    [t('state.not_started'), share.notStarted - share.noRecord],
    [t('state.none'), share.noRecord],
  ];
  return (
    <>
      <h3>{t('panel.classShare', { n: share.learners })}</h3>
      <dl className="facts progress-facts class-share">
        {rows.map(([state, n]) => (
          <div key={state}>
            <dt>{state}</dt>
            <dd>{t('panel.learners', { n, percent: share.learners ? Math.round((n / share.learners) * 100) : 0 })}</dd>
          </div>
        ))}
      </dl>
    </>
  );
}

/**
 * The selected item: its statement from the map, and for a learner their progress, evidence (their own answers) and
 * the trace-back, whose entries select that prerequisite (the path is highlighted on the map by the caller).
 */
export function ItemSidePanel({ node, detail, onSelect, onClose, children }: { node: MapNode; detail: QueryResult<LearnerItemDetail> | null; onSelect: (id: string) => void; onClose: () => void; children?: ReactNode }) {
  const { t, formatDate } = useI18n();
  const d = detail?.data;
  const evidence = d ? d.evidence.slice(-EVIDENCE_SHOWN).reverse() : [];
  const more = d ? (d.evidenceTotal ?? d.evidence.length) - evidence.length : 0;
  return (
    <article className="map-panel card" aria-labelledby="map-panel-title">
      <header className="map-panel-header">
        <h2 id="map-panel-title">
          {node.sectionNumber && <span className="enumeration">{node.sectionNumber} </span>}
          <span className="code">{node.code}</span>
        </h2>
        <button type="button" className="button secondary small" onClick={onClose}>
          {t('item.close')}
        </button>
      </header>
      <RichText className="full-statement" text={node.fullStatement} />
      <p className="muted">{[node.grade && t('map.grade', { grade: node.grade }), node.domain, node.category, node.viewpoint].filter(Boolean).join(' · ')}</p>
      {node.classShare && <ClassShareFacts share={node.classShare} />}
      {children}
      {detail?.loading && <Loading />}
      {detail?.error && <ErrorMessage error={detail.error} onRetry={detail.reload} />}
      {d && (
        <>
          <h3>{t('panel.progress')}</h3>
          <ProgressFacts detail={d} />
          {d.rubric && <RubricLevels rubric={d.rubric} label={d.progress.label} />}
          <h3>{t('panel.traceBack')}</h3>
          {d.traceBack.length === 0 ? (
            <p className="muted">{t('panel.noTraceBack')}</p>
          ) : (
            <>
              <p className="muted small">{t('panel.traceBackNote')}</p>
              <ol className="trace-back">
                {d.traceBack.map((e) => (
                  <li key={e.item.id} data-item={e.item.id}>
                    <button type="button" className="link-button" onClick={() => onSelect(e.item.id)}>
                      <span className="code">{e.item.code}</span> {e.item.fullStatement}
                    </button>
                    <span className="trace-meta">
                      <StateChip state={e.state} label={e.label} />
                      {/* The figure the label is judged on, beside it. */}
                      {e.labelBasis === 'probability' ? ` ${t('panel.traceProbability', { value: percent(e.probability) })}` : e.correctRate !== null ? ` ${t('panel.traceRate', { value: percent(e.correctRate) })}` : ''} · {t('panel.hops', { n: e.hops })}
                    </span>
                  </li>
                ))}
              </ol>
            </>
          )}
          <h3>{t('panel.evidence')}</h3>
          {evidence.length === 0 ? (
            <p className="muted">{t('panel.noEvidence')}</p>
          ) : (
            <ul className="evidence">
              {evidence.map((e) => (
                <li key={e.statementId}>
                  <time dateTime={e.timestamp}>{formatDate(e.timestamp)}</time> {e.activityName ?? e.activity} ·{' '}
                  {e.success === null ? '' : e.success ? t('panel.correctAnswer') : t('panel.wrongAnswer')}
                  {e.score !== null && ` · ${t('panel.score', { score: percent(e.score) })}`}
                </li>
              ))}
              {more > 0 && <li className="muted">{t('panel.evidenceMore', { n: more })}</li>}
            </ul>
          )}
        </>
      )}
    </article>
  );
}
