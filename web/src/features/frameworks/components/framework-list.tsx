import { useI18n } from '../../../lib/i18n/i18n.js';
import { Link } from '../../../lib/router.js';
import { paths } from '../../../config/paths.js';
import { ErrorMessage, Loading } from '../../../components/ui/status.js';
import { InlineText } from '../../../components/ui/rich-text.js';
import { useFrameworks } from '../api/get-frameworks.js';
import { adoptionText } from '../lib/adoption.js';

const PRIVATE_DRAFT = 'Private Draft';

export function FrameworkList({ viewer }: { viewer: string }) {
  const { t, formatDate } = useI18n();
  const { data, error, loading, reload } = useFrameworks(viewer);
  if (loading) return <Loading />;
  if (error) return <ErrorMessage error={error} onRetry={reload} />;
  if (!data?.length) return <p className="muted">{t('frameworks.empty')}</p>;
  return (
    <ul className="framework-list">
      {data.map((d) => (
        <li key={d.identifier} className="card framework-card">
          <h2>
            {/* A crosswalk has no tree of its own: it opens in its editor (docs/crosswalks.md). */}
            <Link to={d.frameworkType === 'crosswalk' ? paths.crosswalk(d.identifier) : paths.framework(d.identifier)}>{d.title}</Link>
            {d.frameworkType === 'crosswalk' && <span className="badge">{t('nav.crosswalks')}</span>}
            {d.adoptionStatus === PRIVATE_DRAFT && <span className="badge private">{t('frameworks.private')}</span>}
          </h2>
          {d.description && (
            <p className="description">
              <InlineText text={d.description} />
            </p>
          )}
          <dl className="facts">
            {d.creator && (
              <div>
                <dt>{t('frameworks.creator')}</dt>
                <dd>{d.creator}</dd>
              </div>
            )}
            {!!d.subject?.length && (
              <div>
                <dt>{t('frameworks.subject')}</dt>
                <dd>{d.subject.join(', ')}</dd>
              </div>
            )}
            {d.adoptionStatus && (
              <div>
                <dt>{t('frameworks.status')}</dt>
                <dd>{adoptionText(t, d.adoptionStatus)}</dd>
              </div>
            )}
            {d.version && (
              <div>
                <dt>{t('frameworks.version')}</dt>
                <dd>{d.version}</dd>
              </div>
            )}
            {d.lastChangeDateTime && (
              <div>
                <dt>{t('frameworks.lastChange')}</dt>
                <dd>
                  <time dateTime={d.lastChangeDateTime}>{formatDate(d.lastChangeDateTime)}</time>
                </dd>
              </div>
            )}
          </dl>
        </li>
      ))}
    </ul>
  );
}
