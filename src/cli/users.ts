import type { Command } from 'commander';
import {
  checkRoleGrant,
  createUser,
  grantUserRole,
  listUsers,
  randomToken,
  revokeUserRole,
  setUserPassword,
  updateUserAccount,
  userIdByUsername,
  type RoleGrant,
} from '../auth/index.js';
import { printTable, readStdinLine, withStore } from './context.js';

/** `admin`, `learner`, `author:framework:<id>`, `reviewer:organization:<id>`, `teacher:class:<id>`; checked before the database is opened. */
export function parseGrant(text: string): RoleGrant {
  const [role = '', scopeType, ...rest] = text.split(':');
  return checkRoleGrant({ role, scopeType, scopeId: rest.length ? rest.join(':') : undefined }, 'grant');
}

const GRANT_HELP = 'role grant: admin | learner | author:framework:<id> | author:organization:<id> | reviewer:framework:<id> | reviewer:organization:<id> | teacher:class:<id>';
const collect = (v: string, all: string[]) => [...all, v];
const formatGrant = (g: RoleGrant) => [g.role, g.scopeType === 'global' || g.scopeType === 'self' ? '' : `${g.scopeType}:${g.scopeId}`].filter(Boolean).join(':');

/** The password from stdin, or a new random one that is printed once. */
async function passwordFor(opts: { passwordStdin?: boolean }): Promise<{ password: string; generated: boolean }> {
  if (opts.passwordStdin) return { password: await readStdinLine('password'), generated: false };
  return { password: randomToken(12), generated: true };
}

export function usersCommand(program: Command): void {
  const users = program.command('users').description('manage user accounts and their roles');

  users
    .command('add <username>')
    .description('create a user; prints a generated password unless --password-stdin is given')
    .option('--display-name <name>', 'the name shown in the UI (default: the username)')
    .option('--locale <locale>', 'ja or en', 'ja')
    .option('--role <grant>', `${GRANT_HELP} (repeatable)`, collect, [])
    .option('--password-stdin', 'read the password from the first line of standard input')
    .action(async (username: string, opts: { displayName?: string; locale: string; role: string[]; passwordStdin?: boolean }) => {
      const roles = opts.role.map(parseGrant);
      const { password, generated } = await passwordFor(opts);
      const u = await withStore(({ db, actor }) => createUser(db, { username, displayName: opts.displayName, locale: opts.locale, password, roles }, actor));
      process.stdout.write(`Created user ${u.username} (${u.id})${u.roles.length ? ` with ${u.roles.map(formatGrant).join(', ')}` : ''}.\n`);
      if (generated) process.stdout.write(`Password: ${password}\n`);
    });

  users
    .command('list')
    .description('list users and their roles')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const list = await withStore(({ db }) => listUsers(db));
      printTable(
        list.map((u) => ({ username: u.username, name: u.displayName, roles: u.roles.map(formatGrant).join(' '), status: u.disabled ? 'disabled' : 'active', id: u.id })),
        opts.json === true,
        list,
      );
    });

  users
    .command('grant <username> <grant>')
    .description(`give a user a role (${GRANT_HELP})`)
    .action(async (username: string, text: string) => {
      const grant = parseGrant(text);
      const u = await withStore(async ({ db, actor }) => grantUserRole(db, await userIdByUsername(db, username), grant, actor));
      process.stdout.write(`${u.username}: ${u.roles.map(formatGrant).join(', ')}\n`);
    });

  users
    .command('revoke <username> <grant>')
    .description('take a role away from a user')
    .action(async (username: string, text: string) => {
      const grant = parseGrant(text);
      const u = await withStore(async ({ db, actor }) => revokeUserRole(db, await userIdByUsername(db, username), grant, actor));
      process.stdout.write(`${u.username}: ${u.roles.map(formatGrant).join(', ') || 'no roles'}\n`);
    });

  users
    .command('passwd <username>')
    .description("set a user's password (ends their sessions); prints a generated one unless --password-stdin is given")
    .option('--password-stdin', 'read the password from the first line of standard input')
    .action(async (username: string, opts: { passwordStdin?: boolean }) => {
      const { password, generated } = await passwordFor(opts);
      await withStore(async ({ db, actor }) => setUserPassword(db, await userIdByUsername(db, username), password, actor));
      process.stdout.write(`Password of ${username} changed.${generated ? `\nPassword: ${password}` : ''}\n`);
    });

  for (const [name, disabled] of [['disable', true], ['enable', false]] as const) {
    users
      .command(`${name} <username>`)
      .description(disabled ? 'stop a user from signing in (ends their sessions)' : 'let a disabled user sign in again')
      .action(async (username: string) => {
        await withStore(async ({ db, actor }) => updateUserAccount(db, await userIdByUsername(db, username), { disabled }, actor));
        process.stdout.write(`${username} ${disabled ? 'disabled' : 'enabled'}.\n`);
      });
  }
}
