import type { FastifyInstance } from 'fastify';
import { useApiErrors } from './errors.js';
import { refuseAnonymousWrites } from '../plugins/auth.js';
import authRoutes from './auth.js';
import adminRoutes from './admin.js';
import frameworkRoutes from './frameworks.js';
import authoringRoutes from './authoring.js';
import learnerRoutes from './learners.js';
import relationRoutes from './relations.js';
import relationRunRoutes from './relations-runs.js';
import progressRoutes from './progress.js';
import rosterRoutes from './rosters.js';
import badgeRoutes from './badges.js';
import oidcRoutes from './oidc.js';
import connectedAppRoutes from './connected-apps.js';
import auditRoutes from './audit.js';
import competencyRoutes from './competencies.js';
import resourceRoutes from './resources.js';
import ltiApiRoutes from './lti.js';
import searchRoutes from './search.js';
import supplierRoutes from './suppliers.js';
import alignmentRoutes from './alignment.js';
import crosswalkRoutes from './crosswalks.js';

/** The JSON API behind the web UI and the admin tools (`/api`). */
export default async function uiApi(app: FastifyInstance) {
  useApiErrors(app);
  refuseAnonymousWrites(app);
  await app.register(authRoutes);
  await app.register(adminRoutes, { prefix: '/admin' });
  await app.register(frameworkRoutes, { prefix: '/frameworks' });
  await app.register(authoringRoutes, { prefix: '/frameworks' });
  await app.register(learnerRoutes, { prefix: '/learners' });
  await app.register(relationRoutes, { prefix: '/relations' });
  await app.register(relationRunRoutes, { prefix: '/relations' });
  await app.register(progressRoutes, { prefix: '/progress' });
  await app.register(rosterRoutes, { prefix: '/rosters' });
  await app.register(badgeRoutes, { prefix: '/badges' });
  await app.register(oidcRoutes, { prefix: '/auth/oidc' });
  await app.register(connectedAppRoutes);
  await app.register(auditRoutes, { prefix: '/audit' });
  await app.register(competencyRoutes, { prefix: '/competencies' });
  await app.register(resourceRoutes, { prefix: '/resources' });
  await app.register(ltiApiRoutes);
  await app.register(searchRoutes, { prefix: '/search' });
  await app.register(supplierRoutes);
  await app.register(alignmentRoutes, { prefix: '/alignment' });
  await app.register(crosswalkRoutes, { prefix: '/crosswalks' });
}
