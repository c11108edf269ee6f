import { useId, useState } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import { Link } from '../../../lib/router.js';
import { api, paths } from '../../../config/paths.js';
import { ErrorMessage, Loading } from '../../../components/ui/status.js';
import { useHeatmap } from '../api/get-heatmap.js';
import { useStuck } from '../api/get-stuck.js';
import { BadgeCandidates } from '../../badges/components/badge-candidates.js';
import { HeatmapTable } from './heatmap-table.js';
import './class-dashboard.css';

/** "P4" (OneRoster's grade for 小学校 4年) → "4". */
const gradeNumber = (g: string | undefined) => g?.match(/\d+$/)?.[0]?.replace(/^0+/, '');
/** The most shared prerequisites first; the rest on request. */
const STUCK_SHOWN = 8;
const unique = (xs: Array<string | null>) => [...new Set(xs.filter((x): x is string => !!x))];

/**
 * A teacher's class: learners × items, filtered by grade and domain, with the CSV of the same view, and the
 * prerequisites several learners are stuck on.
 */
export function ClassDashboard({ classId, framework }: { classId: string; framework: string }) {
  const { t } = useI18n();
  const gradeId = useId();
  const domainId = useId();
  const all = useHeatmap(classId, { framework });
  const [grade, setGrade] = useState<string>();
  const [domain, setDomain] = useState<string>('');
  const defaultGrade = gradeNumber(all.data?.class.grades?.[0]);
  const g = grade ?? (defaultGrade && all.data?.items.some((i) => i.grade === defaultGrade) ? defaultGrade : '');
  const filter = { framework, ...(g ? { grade: g } : {}), ...(domain ? { domain } : {}) };
  const filtered = useHeatmap(classId, filter);
  const stuck = useStuck(classId, framework, undefined);
  const [showAll, setShowAll] = useState(false);

  if (all.loading) return <Loading />;
  if (all.error || !all.data) return all.error ? <ErrorMessage error={all.error} onRetry={all.reload} /> : null;
  const grades = unique(all.data.items.map((i) => i.grade)).sort((a, b) => Number(a) - Number(b));
  const domains = unique(all.data.items.filter((i) => !g || i.grade === g).map((i) => i.domain));

  return (
    <div className="class-dashboard">
      <div className="dashboard-filters">
        <label htmlFor={gradeId}>{t('dashboard.grade')}</label>
        <select id={gradeId} value={g} onChange={(e) => (setGrade(e.target.value), setDomain(''))}>
          <option value="">{t('dashboard.all')}</option>
          {grades.map((x) => (
            <option key={x} value={x}>
              {t('map.grade', { grade: x })}
            </option>
          ))}
        </select>
        <label htmlFor={domainId}>{t('dashboard.domain')}</label>
        <select id={domainId} value={domain} onChange={(e) => setDomain(e.target.value)}>
          <option value="">{t('dashboard.all')}</option>
          {domains.map((x) => (
            <option key={x} value={x}>
              {x}
            </option>
          ))}
        </select>
        <a className="button secondary" href={api.heatmapCsv(classId, filter)} download>
          {t('dashboard.csv')}
        </a>
        <Link className="button secondary" to={paths.map({ framework, class: classId })}>
          {t('dashboard.classMap')}
        </Link>
      </div>
      <section aria-labelledby="heatmap-title">
        <h2 id="heatmap-title">{t('dashboard.heatmap')}</h2>
        <p className="muted small">{t('dashboard.heatmapNote')}</p>
        {filtered.loading && <Loading />}
        {filtered.error && <ErrorMessage error={filtered.error} onRetry={filtered.reload} />}
        {filtered.data && <HeatmapTable key={`${g}|${domain}`} heatmap={filtered.data} framework={framework} />}
      </section>
      <section aria-labelledby="badge-candidates-title">
        <h2 id="badge-candidates-title">{t('badges.candidates')}</h2>
        <p className="muted small">{t('badges.candidatesNote')}</p>
        <BadgeCandidates classId={classId} framework={framework} />
      </section>
      <section aria-labelledby="stuck-title">
        <h2 id="stuck-title">{t('dashboard.stuck')}</h2>
        <p className="muted small">{t('dashboard.stuckNote')}</p>
        {stuck.loading && <Loading />}
        {stuck.error && <ErrorMessage error={stuck.error} onRetry={stuck.reload} />}
        {stuck.data &&
          (stuck.data.prerequisites.length === 0 ? (
            <p className="muted">{t('dashboard.noStuck')}</p>
          ) : (
            <ol className="stuck-list">
              {stuck.data.prerequisites.slice(0, showAll ? undefined : STUCK_SHOWN).map(({ item, learners }) => (
                <li key={item.id} className="card">
                  <p>
                    <strong>{t('dashboard.stuckCount', { n: learners.length })}</strong> · {item.grade && t('map.grade', { grade: item.grade })} {item.category}
                  </p>
                  <p>{item.fullStatement}</p>
                  <ul className="stuck-learners">
                    {learners.map((l) => (
                      <li key={l.id}>
                        <Link to={paths.map({ framework, learner: l.id, item: l.blockedItems[0] ?? item.id })}>{l.displayName}</Link>
                      </li>
                    ))}
                  </ul>
                </li>
              ))}
            </ol>
          ))}
        {stuck.data && stuck.data.prerequisites.length > STUCK_SHOWN && !showAll && (
          <button type="button" className="button secondary" onClick={() => setShowAll(true)}>
            {t('dashboard.showAll', { n: stuck.data.prerequisites.length })}
          </button>
        )}
      </section>
    </div>
  );
}
