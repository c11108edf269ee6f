import { matchPath, useRouter } from '../lib/router.js';
import { FrameworkRoute } from './routes/framework.js';
import { FrameworksRoute } from './routes/frameworks.js';
import { NotFoundRoute } from './routes/not-found.js';
import { SignInRoute } from './routes/sign-in.js';
import { RelationsRoute } from './routes/relations.js';
import { lazy, Suspense, type ReactNode } from 'react';
import { Loading } from '../components/ui/status.js';
import { DashboardRoute } from './routes/dashboard.js';
import { AchievementsRoute } from './routes/achievements.js';
import { SearchRoute } from './routes/search.js';
import { SuppliersRoute } from './routes/suppliers.js';
import { CrosswalksRoute } from './routes/crosswalks.js';

// The map carries cytoscape (≈ 0.5 MB): loaded only by the pages that show it (the map, the passport).
const MapRoute = lazy(() => import('./routes/map.js').then((m) => ({ default: m.MapRoute })));
const PassportRoute = lazy(() => import('./routes/passport.js').then((m) => ({ default: m.PassportRoute })));

// The editor is for authors only: loaded when opened.
const AuthoringRoute = lazy(() => import('./routes/authoring.js').then((m) => ({ default: m.AuthoringRoute })));

/** A lazily loaded route, "loading" meanwhile. */
const lazyRoute = (route: ReactNode) => <Suspense fallback={<Loading />}>{route}</Suspense>;

/** The route table; its URLs are built by config/paths.ts. */
export function AppRoutes() {
  const { pathname } = useRouter().location;
  let m: Record<string, string> | null;
  if (matchPath('/', pathname)) return <FrameworksRoute />;
  if (matchPath('/sign-in', pathname)) return <SignInRoute />;
  if (matchPath('/search', pathname)) return <SearchRoute />;
  if (matchPath('/authoring', pathname)) return lazyRoute(<AuthoringRoute />);
  if ((m = matchPath('/authoring/:id', pathname))) return lazyRoute(<AuthoringRoute frameworkId={m['id']!} />);
  if (matchPath('/relations', pathname)) return <RelationsRoute />;
  if (matchPath('/crosswalks', pathname)) return <CrosswalksRoute />;
  if ((m = matchPath('/crosswalks/:id', pathname))) return <CrosswalksRoute id={m['id']!} />;
  if (matchPath('/map', pathname)) return lazyRoute(<MapRoute />);
  if (matchPath('/dashboard', pathname)) return <DashboardRoute />;
  if (matchPath('/passport', pathname)) return lazyRoute(<PassportRoute />);
  if (matchPath('/badges/achievements', pathname)) return <AchievementsRoute />;
  if (matchPath('/suppliers', pathname)) return <SuppliersRoute />;
  if ((m = matchPath('/frameworks/:id/items/:itemId', pathname))) return <FrameworkRoute frameworkId={m['id']!} itemId={m['itemId']} />;
  if ((m = matchPath('/frameworks/:id', pathname))) return <FrameworkRoute frameworkId={m['id']!} />;
  return <NotFoundRoute />;
}
