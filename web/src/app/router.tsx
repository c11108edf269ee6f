import { matchPath, useRouter } from '../lib/router.js';
import { FrameworkRoute } from './routes/framework.js';
import { FrameworksRoute } from './routes/frameworks.js';
import { NotFoundRoute } from './routes/not-found.js';
import { SignInRoute } from './routes/sign-in.js';
import { RelationsRoute } from './routes/relations.js';
import { lazy, Suspense } from 'react';
import { Loading } from '../components/ui/status.js';
import { DashboardRoute } from './routes/dashboard.js';
import { PassportRoute } from './routes/passport.js';
import { AchievementsRoute } from './routes/achievements.js';

// The map carries cytoscape (≈ 0.5 MB): loaded only when the map is opened.
const MapRoute = lazy(() => import('./routes/map.js').then((m) => ({ default: m.MapRoute })));

/** The route table; its URLs are built by config/paths.ts. */
export function AppRoutes() {
  const { pathname } = useRouter().location;
  let m: Record<string, string> | null;
  if (matchPath('/', pathname)) return <FrameworksRoute />;
  if (matchPath('/sign-in', pathname)) return <SignInRoute />;
  if (matchPath('/relations', pathname)) return <RelationsRoute />;
  if (matchPath('/map', pathname))
    return (
      <Suspense fallback={<Loading />}>
        <MapRoute />
      </Suspense>
    );
  if (matchPath('/dashboard', pathname)) return <DashboardRoute />;
  if (matchPath('/passport', pathname)) return <PassportRoute />;
  if (matchPath('/badges/achievements', pathname)) return <AchievementsRoute />;
  if ((m = matchPath('/frameworks/:id/items/:itemId', pathname))) return <FrameworkRoute frameworkId={m['id']!} itemId={m['itemId']} />;
  if ((m = matchPath('/frameworks/:id', pathname))) return <FrameworkRoute frameworkId={m['id']!} />;
  return <NotFoundRoute />;
}
