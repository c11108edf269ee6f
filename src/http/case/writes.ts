import type { FastifyInstance, FastifyRequest } from 'fastify';
import { actorOf } from '../../auth/index.js';
import { ShirubeError } from '../../errors.js';
import { deleteFramework, findFramework } from '../../case/frameworks.js';
import { importCaseJson } from '../../case/import/case-json.js';
import type { CaseVersion } from '../../case/model.js';
import { serializeDocument } from '../../case/serialize.js';
import { authorize } from '../plugins/auth.js';
import { authored, importChecks, mayImport } from '../framework-access.js';

const idParams = { type: 'object', required: ['sourcedId'], properties: { sourcedId: { type: 'string', minLength: 1, maxLength: 200 } } } as const;

/**
 * Writing frameworks through the CASE API itself (CASE defines reads only; these follow its resources and error format):
 * POST a CFPackage to create or replace it, PUT one to replace the package at its sourcedId, DELETE to remove it.
 * The same rules and transaction as /api/frameworks/import; errors are imsx_StatusInfo naming the field.
 */
export default async function caseWrites(app: FastifyInstance, { version }: { version: CaseVersion }) {
  const tags = [version === '1.0' ? 'CASE 1.0' : 'CASE 1.1'];
  const security: { [scheme: string]: string[] }[] = [{ oauth2: ['case:write'] }, { session: [] }];
  const served = async (identifier: string) =>
    serializeDocument((await findFramework(app.store.db, identifier))!, { version, publicUrl: app.config.publicUrl, uriExtras: app.config.caseUriExtras });

  const save = async (req: FastifyRequest) => {
    const result = await importCaseJson(app.store.db, req.body, importChecks(req, 'case-json'));
    return served(result.identifier);
  };

  app.post('/CFPackages', {
    onRequest: async (req) => authorize(req, mayImport, 'write frameworks'),
    schema: { tags, security, summary: 'Create (or replace) a framework from a CFPackage (Shirube extension; one transaction)', body: { type: 'object' } },
  }, async (req, reply) => {
    const doc = await save(req);
    return reply.code(201).header('location', `${app.prefix}/CFPackages/${doc['identifier']}`).send(doc);
  });

  app.put<{ Params: { sourcedId: string } }>('/CFPackages/:sourcedId', {
    onRequest: async (req) => authorize(req, mayImport, 'write frameworks'),
    schema: { tags, security, summary: 'Replace the framework at sourcedId with a CFPackage (Shirube extension; one transaction)', params: idParams, body: { type: 'object' } },
  }, async (req) => {
    const body = req.body as { CFDocument?: { identifier?: unknown }; CFPackage?: { CFDocument?: { identifier?: unknown } } };
    const id = (body.CFPackage ?? body).CFDocument?.identifier;
    if (id !== req.params.sourcedId) {
      throw new ShirubeError('invalid_request', `CFDocument.identifier: must equal the sourcedId in the path (${req.params.sourcedId})`, 'CFDocument.identifier');
    }
    return save(req);
  });

  app.delete<{ Params: { sourcedId: string } }>('/CFPackages/:sourcedId', {
    onRequest: async (req) => authorize(req, mayImport, 'delete frameworks'),
    schema: { tags, security, summary: 'Delete a framework (Shirube extension)', params: idParams },
  }, async (req, reply) => {
    await authored(req, req.params.sourcedId, `delete the framework ${req.params.sourcedId}`);
    await deleteFramework(app.store.db, req.params.sourcedId, { actor: actorOf(req.principal) });
    return reply.code(204).send();
  });
}
