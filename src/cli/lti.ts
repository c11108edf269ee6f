import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { loadSecretKey } from '../badges/index.js';
import { contextOfClass, listPlatforms, registerPlatform, removePlatform, syncRoster, toolEndpoints } from '../lti/index.js';
import { collectList, printTable, withStore } from './context.js';

/** `shirube lti`: LTI 1.3 platforms (docs/lti.md); the same as /api/admin/lti, audited as the CLI's user. */
export function ltiCommand(program: Command): void {
  const lti = program.command('lti').description('LTI 1.3: the platforms (LMS, 学習eポータル) that launch Shirube');

  lti
    .command('tool')
    .description('print what a platform’s administrator registers: the login, launch, deep linking and JWKS URLs')
    .action(async () => {
      const urls = toolEndpoints(loadConfig().publicUrl);
      process.stdout.write(`OIDC login initiation URL: ${urls.loginUrl}\nLaunch (redirect) URL:     ${urls.launchUrl}\nDeep linking URL:          ${urls.deepLinkingUrl}\nPublic keyset (JWKS) URL:  ${urls.jwksUrl}\n`);
    });

  lti
    .command('add')
    .description('register a platform')
    .requiredOption('--issuer <url>', 'the platform’s issuer identifier (iss)')
    .requiredOption('--client-id <id>', 'the client id the platform gave Shirube')
    .requiredOption('--deployment <id>', 'a deployment id, repeatable', collectList, [])
    .requiredOption('--auth-login-url <url>', 'the platform’s OIDC authorization endpoint')
    .requiredOption('--token-url <url>', 'the platform’s OAuth 2.0 access token URL (Names and Role Provisioning)')
    .requiredOption('--jwks-url <url>', 'the platform’s public keyset URL')
    .option('--label <text>', 'a name for people')
    .option('--school <id>', 'the school whose classes new contexts become')
    .option('--trust-administrators', 'the platform’s system or institution Administrators become Shirube administrators')
    .action(async (o: { issuer: string; clientId: string; deployment: string[]; authLoginUrl: string; tokenUrl: string; jwksUrl: string; label?: string; school?: string; trustAdministrators?: boolean }) => {
      const p = await withStore(({ db, actor }) =>
        registerPlatform(db, { issuer: o.issuer, clientId: o.clientId, deploymentIds: o.deployment, authLoginUrl: o.authLoginUrl, accessTokenUrl: o.tokenUrl, jwksUrl: o.jwksUrl, label: o.label, schoolId: o.school ?? null, trustAdministrators: o.trustAdministrators === true }, actor),
      );
      process.stdout.write(`Registered ${p.label} (${p.id}).\n`);
    });

  lti
    .command('list')
    .description('list the registered platforms')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const list = await withStore(({ db }) => listPlatforms(db));
      printTable(list.map((p) => ({ id: p.id, label: p.label, issuer: p.issuer, clientId: p.clientId, deployments: p.deploymentIds.join(' ') })), opts.json === true, list);
    });

  lti
    .command('sync <classId>')
    .description('provision a class from its LTI context’s members (Names and Role Provisioning) and print what changed')
    .option('--json', 'print JSON')
    .action(async (classId: string, opts: { json?: boolean }) => {
      const r = await withStore(async ({ db, config, actor }) => {
        const ctx = { db, publicUrl: config.publicUrl, secret: loadSecretKey({ secretKey: config.secretKey, dataDir: config.dataDir }) };
        return syncRoster(ctx, (await contextOfClass(db, classId)).id, actor);
      });
      process.stdout.write(opts.json ? `${JSON.stringify(r)}\n` : `${r.members} members in ${r.pages} page(s): added ${r.added.learners} learner(s) and ${r.added.teachers} teacher(s), removed ${r.removed}, unchanged ${r.unchanged}.\n`);
    });

  lti
    .command('remove <id>')
    .description('remove a platform: its launches stop (accounts, classes and records stay)')
    .action(async (id: string) => {
      await withStore(({ db, actor }) => removePlatform(db, id, actor));
      process.stdout.write(`Removed ${id}.\n`);
    });
}
