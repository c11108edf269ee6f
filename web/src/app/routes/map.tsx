import { useCallback } from 'react';
import { useI18n } from '../../lib/i18n/i18n.js';
import { Link, useRouter } from '../../lib/router.js';
import { paths } from '../../config/paths.js';
import { useDocumentTitle } from '../../lib/use-document-title.js';
import { ErrorMessage, Loading } from '../../components/ui/status.js';
import { useSession } from '../../features/auth/hooks/use-session.js';
import { useFrameworks } from '../../features/frameworks/api/get-frameworks.js';
import { defaultFramework } from '../../features/frameworks/lib/default-framework.js';
import { SubjectSelect } from '../../features/frameworks/components/subject-select.js';
import { subjectsOf } from '../../features/frameworks/lib/subjects.js';
import { MapExplorer } from '../../features/map/components/map-explorer.js';
import { useLearningMap } from '../../features/map/api/get-map.js';
import { schoolYearChoices, todayInTokyo } from '../../features/map/lib/dates.js';
import { useMe } from '../../features/progress/api/get-me.js';
import { LearnerProgress } from '../../features/progress/components/learner-progress.js';
import { useOwnMapBadges, useTeacherMapBadges } from '../../features/badges/hooks/use-map-badges.js';
import { MapBadgePanel } from '../../features/badges/components/map-badge-panel.js';
import { ItemResources } from '../../features/resources/components/item-resources.js';
import type { MapNode } from '../../types/progress-api.js';

/**
 * /map: a learner's own map, progress and next steps (a learner account is always shown its own, whatever the
 * URL says); for a teacher or an administrator, `?learner=` picks a learner, `?class=` shows a class's map (each
 * item by the share of its learners who mastered it), and without either the map shows the framework alone. The
 * map comes right under the heading and its tools: what goes with it (next steps, changes) follows it. `?framework=` defaults to the first class's framework, then the first framework; the subject
 * selector offers the class's framework and the other Course of Study frameworks (算数, 理科: docs/demo.md).
 */
export function MapRoute() {
  const { t } = useI18n();
  const { location, navigate } = useRouter();
  const { user, loading } = useSession();
  const me = useMe(!!user);
  const frameworks = useFrameworks(user?.id ?? '');
  const q = location.search;
  const learner = me.data ? (me.data.learnerId ?? q.get('learner')) : null;
  // A class's map: teachers and administrators, when no learner is chosen.
  const classId = me.data && !learner ? (q.get('class') ?? undefined) : undefined;
  const classFramework = me.data?.classes.find((c) => c.framework)?.framework ?? defaultFramework(frameworks.data);
  const framework = q.get('framework') ?? classFramework;
  const subjects = subjectsOf(classFramework, frameworks.data);
  const itemId = q.get('item') ?? undefined;
  // Badges on the map: a teacher viewing a learner sees their candidates (and approves them in the item panel);
  // a learner sees their own badges.
  const own = !!me.data?.learnerId;
  const teacherOf = !own && learner ? learner : null;
  const teacherBadges = useTeacherMapBadges(teacherOf);
  const ownBadges = useOwnMapBadges(own && user ? user.id : null);
  // Teachers, authors and administrators register resources for an item from its panel (docs/resources.md).
  const canRegister = !!user?.roles?.some((r) => r.role === 'admin' || r.role === 'teacher' || r.role === 'author');
  const itemExtra = useCallback(
    (node: MapNode) => (
      <>
        {teacherOf && <MapBadgePanel learner={teacherOf} itemId={node.id} />}
        <ItemResources itemId={node.id} canRegister={canRegister} />
      </>
    ),
    [teacherOf, canRegister],
  );
  // The map's own title and the learner's name come with the map (the query is shared with the explorer's).
  const head = useLearningMap(framework && me.data ? { framework, learner: learner ?? undefined, classId, view: 'curriculum' } : null).data;
  const heading = head?.learner ? t('map.of', { name: head.learner.displayName }) : head?.class ? t('map.ofClass', { title: head.class.title }) : t('map.heading');
  useDocumentTitle(heading);
  // Whose map the URL keeps: the learner's (not on their own map) or the class's.
  const whoseLearner = own ? undefined : (learner ?? undefined);
  const whose = { learner: whoseLearner, class: classId };
  const onItem = useCallback((id: string | undefined) => navigate(paths.map({ framework, learner: whoseLearner, class: classId, item: id }), { replace: true }), [navigate, framework, whoseLearner, classId]);

  if (loading || (user && me.loading) || frameworks.loading) return <Loading />;
  if (!user)
    return (
      <section className="page">
        <h1>{t('map.heading')}</h1>
        <p>
          <Link to={paths.signIn(location.pathname + (q.size ? `?${q}` : ''))}>{t('error.unauthorized')}</Link>
        </p>
      </section>
    );
  if (me.error) return <ErrorMessage error={me.error} onRetry={me.reload} />;
  if (!framework) return <p className="page muted">{t('progress.noFramework')}</p>;

  return (
    <section className="page map-page">
      <header className="map-page-head">
        <h1>{heading}</h1>
        {head && <p className="muted">{head.framework.title}</p>}
        {subjects.some((x) => x.identifier === framework) && <SubjectSelect subjects={subjects} value={framework} onChange={(f) => navigate(paths.map({ framework: f, ...whose }), { replace: true })} />}
        {head?.class && (
          <Link to={paths.dashboard({ class: head.class.id, framework })} className="small">
            {t('map.toDashboard')}
          </Link>
        )}
      </header>
      <MapExplorer key={`${framework}|${learner ?? ''}|${classId ?? ''}`} framework={framework} learner={learner} classId={classId} itemId={itemId} onItem={onItem} badges={own ? ownBadges : teacherBadges} itemExtra={itemExtra} />
      {learner && head && (
        <LearnerProgress
          learner={learner}
          heading={own ? t('progress.heading') : t('progress.of', { name: head.learner?.displayName ?? '' })}
          framework={framework}
          since={`${Math.min(...schoolYearChoices(head.nodes.map((n) => n.progress?.lastAt), todayInTokyo()).years)}-04-01`}
          onOpenItem={onItem}
        />
      )}
    </section>
  );
}
