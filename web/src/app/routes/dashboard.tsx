import { useI18n } from '../../lib/i18n/i18n.js';
import { Link, useRouter } from '../../lib/router.js';
import { paths } from '../../config/paths.js';
import { useDocumentTitle } from '../../lib/use-document-title.js';
import { ErrorMessage, Loading } from '../../components/ui/status.js';
import { useSession } from '../../features/auth/hooks/use-session.js';
import { useMe } from '../../features/progress/api/get-me.js';
import { useFrameworks } from '../../features/frameworks/api/get-frameworks.js';
import { defaultFramework } from '../../features/frameworks/lib/default-framework.js';
import { ClassDashboard } from '../../features/dashboard/components/class-dashboard.js';
import { SubjectSelect } from '../../features/frameworks/components/subject-select.js';
import { subjectsOf } from '../../features/frameworks/lib/subjects.js';

/**
 * /dashboard?class=&framework=: the classes a teacher teaches (an administrator: every class), in one of the
 * class's subjects (its own framework by default, or another Course of Study framework: 4年1組 in 算数 or 理科).
 */
export function DashboardRoute() {
  const { t } = useI18n();
  const { location, navigate } = useRouter();
  const { user, loading } = useSession();
  const me = useMe(!!user);
  const frameworks = useFrameworks(user?.id ?? '');
  useDocumentTitle(t('dashboard.heading'));
  if (loading || (user && me.loading)) return <Loading />;
  if (!user)
    return (
      <p className="page">
        <Link to={paths.signIn(paths.dashboard())}>{t('error.unauthorized')}</Link>
      </p>
    );
  if (me.error || !me.data) return me.error ? <ErrorMessage error={me.error} onRetry={me.reload} /> : null;
  const classes = me.data.classes.filter((c) => c.role !== 'learner' && c.role !== 'student');
  const current = classes.find((c) => c.id === location.search.get('class')) ?? classes[0];
  // A class without its own framework: the first framework (the demo's 算数).
  const own = current?.framework ?? defaultFramework(frameworks.data);
  const subjects = subjectsOf(own, frameworks.data);
  const asked = location.search.get('framework');
  const framework = (frameworks.data ? subjects.find((x) => x.identifier === asked)?.identifier : asked) ?? own;
  return (
    <section className="page">
      <h1>{t('dashboard.heading')}</h1>
      {!current ? (
        <p className="muted">{t('dashboard.noClasses')}</p>
      ) : (
        <>
          <label>
            {t('dashboard.class')}{' '}
            <select value={current.id} onChange={(e) => navigate(paths.dashboard({ class: e.target.value }), { replace: true })}>
              {classes.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.title}
                </option>
              ))}
            </select>
          </label>{' '}
          {framework && <SubjectSelect subjects={subjects} value={framework} onChange={(f) => navigate(paths.dashboard({ class: current.id, framework: f === own ? undefined : f }), { replace: true })} />}
          {framework ? <ClassDashboard key={`${current.id}|${framework}`} classId={current.id} framework={framework} /> : <p className="muted">{t('dashboard.noFramework')}</p>}
        </>
      )}
    </section>
  );
}
