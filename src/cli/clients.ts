import type { Command } from 'commander';
import { apiScopes, checkScopes, createApiClient, listApiClients, revokeApiClient, userIdByUsername } from '../auth/index.js';
import { collectList, printTable, withStore } from './context.js';

export function clientsCommand(program: Command): void {
  const clients = program.command('clients').description('manage API clients (OAuth 2.0 client credentials)');

  clients
    .command('add <name>')
    .description('create an API client; prints its client_id and client_secret (shown this once)')
    .requiredOption('--scope <scope>', `a scope to grant, repeatable or space-separated: ${Object.keys(apiScopes).join(', ')}`, collectList, [])
    .option('--owner <username>', 'the user responsible for this client')
    .action(async (name: string, opts: { scope: string[]; owner?: string }) => {
      checkScopes(opts.scope);
      const c = await withStore(async ({ db, actor }) =>
        createApiClient(db, { name, scopes: opts.scope, ownerUserId: opts.owner ? await userIdByUsername(db, opts.owner) : null }, actor),
      );
      process.stdout.write(
        `Created API client "${c.name}" with ${c.scopes.join(' ')}.\n` +
          `client_id:     ${c.clientId}\nclient_secret: ${c.clientSecret}\n` +
          'Keep the secret now: it is stored only as a hash and cannot be shown again. Tokens: POST /oauth/token.\n',
      );
    });

  clients
    .command('list')
    .description('list API clients (never their secrets)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const list = await withStore(({ db }) => listApiClients(db));
      printTable(
        list.map((c) => ({ clientId: c.clientId, name: c.name, scopes: c.scopes.join(' '), status: c.revokedAt ? `revoked ${c.revokedAt}` : 'active' })),
        opts.json === true,
        list,
      );
    });

  clients
    .command('revoke <clientId>')
    .description('revoke an API client: its tokens stop working at once')
    .action(async (clientId: string) => {
      await withStore(({ db, actor }) => revokeApiClient(db, clientId, actor));
      process.stdout.write(`Revoked ${clientId}.\n`);
    });
}
