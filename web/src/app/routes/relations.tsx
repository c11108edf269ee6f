import { useState } from 'react';
import { useI18n } from '../../lib/i18n/i18n.js';
import { Link, useRouter } from '../../lib/router.js';
import { paths } from '../../config/paths.js';
import { useDocumentTitle } from '../../lib/use-document-title.js';
import { Loading } from '../../components/ui/status.js';
import { useSession } from '../../features/auth/hooks/use-session.js';
import { useFrameworks } from '../../features/frameworks/api/get-frameworks.js';
import { ReviewQueue } from '../../features/relations/components/review-queue.js';
import { EvaluationTable } from '../../features/relations/components/evaluation-table.js';
import { RunPanel } from '../../features/relations/components/run-panel.js';
import { AddRelationForm } from '../../features/relations/components/add-relation-form.js';
import { usePackage } from '../../features/frameworks/api/get-package.js';

const pickable = (pkg: ReturnType<typeof usePackage>) => (pkg.data?.CFItems ?? []).map((i) => ({ identifier: i.identifier, code: i.humanCodingScheme ?? null, text: i.fullStatement }));

/**
 * Run estimation and add a relation, above the queue; the form offers the framework's CFItems, and for the
 * destination those of another framework if one is picked (a cross-subject relation).
 */
function QueueTools({ framework, others }: { framework: string; others: Array<{ identifier: string; title: string }> }) {
  const [destinationFramework, setDestinationFramework] = useState(framework);
  const items = pickable(usePackage(framework));
  const destinationItems = pickable(usePackage(destinationFramework));
  return (
    <div className="relations-tools">
      <RunPanel framework={framework} others={others} />
      <AddRelationForm
        framework={framework}
        items={items}
        others={others}
        destinationFramework={destinationFramework}
        onDestinationFramework={setDestinationFramework}
        destinationItems={destinationFramework === framework ? items : destinationItems}
      />
    </div>
  );
}

/** /relations?framework=&view=evaluation: the review queue of relation suggestions, and their evaluation. */
export function RelationsRoute() {
  const { t } = useI18n();
  const { location, navigate } = useRouter();
  const { user, loading } = useSession();
  const frameworks = useFrameworks(user?.id ?? '');
  const view = location.search.get('view') === 'evaluation' ? 'evaluation' : 'queue';
  useDocumentTitle(t('relations.heading'));
  if (loading || frameworks.loading) return <Loading />;
  if (!user)
    return (
      <p className="page">
        <Link to={paths.signIn(paths.relations())}>{t('error.unauthorized')}</Link>
      </p>
    );
  const list = frameworks.data ?? [];
  const framework = list.find((d) => d.identifier === location.search.get('framework'))?.identifier ?? list[0]?.identifier;
  return (
    <section className="page">
      <h1>{t('relations.heading')}</h1>
      <p className="lead">{t('relations.intro')}</p>
      <label>
        {t('relations.framework')}{' '}
        <select value={framework ?? ''} onChange={(e) => navigate(paths.relations({ framework: e.target.value, view }), { replace: true })}>
          {list.map((d) => (
            <option key={d.identifier} value={d.identifier}>{d.title}</option>
          ))}
        </select>
      </label>{' '}
      <nav className="relations-tabs" aria-label={t('relations.views')}>
        <Link to={paths.relations({ framework, view: 'queue' })} aria-current={view === 'queue' ? 'page' : undefined}>{t('relations.queue')}</Link>{' | '}
        <Link to={paths.relations({ framework, view: 'evaluation' })} aria-current={view === 'evaluation' ? 'page' : undefined}>{t('relations.evaluation')}</Link>
      </nav>
      {framework &&
        (view === 'queue' ? (
          <>
            <QueueTools key={`tools-${framework}`} framework={framework} others={list.filter((d) => d.identifier !== framework).map((d) => ({ identifier: d.identifier, title: d.title }))} />
            <ReviewQueue key={framework} framework={framework} />
          </>
        ) : (
          <EvaluationTable key={framework} framework={framework} />
        ))}
    </section>
  );
}
