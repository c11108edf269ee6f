import { matchPath, useRouter } from '../lib/router.js';
import { FrameworkRoute } from './routes/framework.js';
import { FrameworksRoute } from './routes/frameworks.js';
import { NotFoundRoute } from './routes/not-found.js';
import { SignInRoute } from './routes/sign-in.js';
import { RelationsRoute } from './routes/relations.js';
import { MapRoute } from './routes/map.js';
import { DashboardRoute } from './routes/dashboard.js';

/** The route table; its URLs are built by config/paths.ts. */
export function AppRoutes() {
  const { pathname } = useRouter().location;
  let m: Record<string, string> | null;
  if (matchPath('/', pathname)) return <FrameworksRoute />;
  if (matchPath('/sign-in', pathname)) return <SignInRoute />;
  if (matchPath('/relations', pathname)) return <RelationsRoute />;
  if (matchPath('/map', pathname)) return <MapRoute />;
  if (matchPath('/dashboard', pathname)) return <DashboardRoute />;
  if ((m = matchPath('/frameworks/:id/items/:itemId', pathname))) return <FrameworkRoute frameworkId={m['id']!} itemId={m['itemId']} />;
  if ((m = matchPath('/frameworks/:id', pathname))) return <FrameworkRoute frameworkId={m['id']!} />;
  return <NotFoundRoute />;
}
