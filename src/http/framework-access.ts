import type { FastifyRequest } from 'fastify';
import { actorOf, canAuthorFramework, canReadPrivate, type Principal } from '../auth/index.js';
import { ShirubeError } from '../errors.js';
import { findFramework, getFramework, isPublicFramework } from '../case/frameworks.js';
import type { SaveOptions } from '../case/import/save.js';
import type { DocumentRow } from '../store/case.js';
import { authorize } from './plugins/auth.js';

/** Who may see, import, replace and delete frameworks: shared by /api/frameworks and the CASE write endpoints. */
export const ref = (d: DocumentRow) => ({ identifier: d.identifier, organizationId: d.organizationId });
export const canSee = (p: Principal, d: DocumentRow) => isPublicFramework(d) || canReadPrivate(p, ref(d));
/** Somebody who may author some framework: the coarse gate before the body is read (401 / 403). */
export const mayImport = (p: Principal) => canAuthorFramework(p) || (p.kind === 'user' && p.roles.some((r) => r.role === 'author'));
/** An organization author's new frameworks belong to their organization. */
export const organizationOf = (p: Principal) =>
  p.kind === 'user' && !p.roles.some((r) => r.role === 'admin') ? (p.roles.find((r) => r.role === 'author' && r.scopeType === 'organization')?.scopeId ?? null) : null;

/** A framework the caller may see, else 404 (private frameworks are not revealed). */
export async function visible(req: FastifyRequest, id: string): Promise<DocumentRow> {
  const d = await getFramework(req.server.store.db, id);
  if (!canSee(req.principal, d)) throw new ShirubeError('not_found', `No framework (CFDocument) ${id}`, 'id');
  return d;
}

/** The framework a write targets, checked against the caller's author rights. */
export async function authored(req: FastifyRequest, id: string, what: string): Promise<DocumentRow> {
  const d = await visible(req, id);
  authorize(req, (p) => canAuthorFramework(p, ref(d)), what);
  return d;
}

/** Each imported package: replacing an existing framework needs author rights on it; a new one, rights to create. */
export function importChecks(req: FastifyRequest, format: string): Omit<SaveOptions, 'onProgress'> {
  const p = req.principal;
  return {
    audit: { actor: actorOf(p), action: 'framework.import', details: { format } },
    beforeSave: async (rows) => {
      const existing = await findFramework(req.server.store.db, rows.document.identifier);
      if (existing) {
        authorize(req, (x) => canAuthorFramework(x, ref(existing)), `replace the framework ${rows.document.identifier}`);
        rows.document.organizationId = existing.organizationId;
      } else {
        authorize(req, (x) => canAuthorFramework(x), 'create frameworks');
        rows.document.organizationId = organizationOf(p);
      }
    },
  };
}

