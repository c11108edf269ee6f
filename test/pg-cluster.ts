import { spawn, spawnSync } from 'node:child_process';
import { chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './cli-process.js';

/**
 * PostgreSQL's programs (initdb, pg_ctl, pg_dump, pg_basebackup…): the newest /usr/lib/postgresql/<version>/bin
 * (Debian's layout, what .ci/run installs), else `pg_config --bindir`; undefined when there are none.
 */
export const PG_BIN: string | undefined = (() => {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(a) - Number(b)) : [];
  if (versions.length) return join(root, versions.at(-1)!, 'bin');
  const found = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const bin = found.status === 0 ? found.stdout.trim() : '';
  return bin && existsSync(join(bin, 'initdb')) ? bin : undefined;
})();

/** For describe.skipIf: true (with a message saying why) when there is no PostgreSQL to run here. */
export function skipWithoutPostgres(what: string): boolean {
  if (PG_BIN) return false;
  console.warn(`Skipping ${what}: PostgreSQL's programs (initdb, pg_ctl) are not installed: apt-get install postgresql, or put pg_config on the PATH.`);
  return true;
}

/** PostgreSQL refuses to run as root: as root, its programs run as the `postgres` account the Debian package creates. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('Running as root, and there is no postgres account to run PostgreSQL as (PostgreSQL refuses root)');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** Runs one of PostgreSQL's programs to its end; rejects with its output when it fails. */
export function pgTool(tool: string, args: string[]): Promise<string> {
  const user = runAs();
  return new Promise((resolve, reject) => {
    const child = spawn(join(PG_BIN!, tool), args, { stdio: ['ignore', 'pipe', 'pipe'], ...(user ?? {}), env: { ...process.env, PGUSER: 'postgres', LC_ALL: 'C' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${tool} ${args.join(' ')} exited with ${code}:\n${out}`))));
  });
}

export interface Cluster {
  readonly port: number;
  /** The data directory. */
  readonly dataDir: string;
  /** A directory the cluster's account may write (WAL archive, base backups). */
  readonly workDir: string;
  url(database?: string): string;
  start(): Promise<void>;
  /** `immediate` is a crash: no checkpoint, the next start recovers from the WAL. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Another cluster from a copy of a data directory (a base backup), with these settings added, not started. */
  fromBackup(backupDir: string, settings: Record<string, string>, signal?: 'recovery.signal'): Promise<Cluster>;
  /** Stops it if running and deletes its directories. */
  destroy(): Promise<void>;
}

const conf = (settings: Record<string, string>) => Object.entries(settings).map(([k, v]) => `${k} = '${v.replace(/'/g, "''")}'\n`).join('');

function cluster(root: string, dataDir: string, port: number, owned: string[]): Cluster {
  let running = false;
  const log = join(root, `postgres-${port}.log`);
  const self: Cluster = {
    port,
    dataDir,
    workDir: root,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async start() {
      try {
        await pgTool('pg_ctl', ['-D', dataDir, '-l', log, '-w', '-t', '300', 'start']);
      } catch (e) {
        throw new Error(`${(e as Error).message}\n${existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : ''}`);
      }
      running = true;
    },
    async stop(mode = 'fast') {
      await pgTool('pg_ctl', ['-D', dataDir, '-m', mode, '-w', '-t', '300', 'stop']);
      running = false;
    },
    async fromBackup(backupDir, settings, signal) {
      const other = await freePort();
      const dir = join(root, `data-${other}`);
      cpSync(backupDir, dir, { recursive: true });
      writeFileSync(join(dir, 'postgresql.auto.conf'), conf({ ...settings, port: String(other) }), { flag: 'a' });
      if (signal) writeFileSync(join(dir, signal), '');
      chownTree(dir);
      return cluster(root, dir, other, [dir]);
    },
    async destroy() {
      if (running) await self.stop('immediate').catch(() => undefined);
      for (const d of owned) rmSync(d, { recursive: true, force: true });
    },
  };
  return self;
}

/** Files the test (as root) wrote into the cluster's directories belong to the cluster's account. */
function chownTree(dir: string): void {
  const user = runAs();
  if (!user) return;
  chownSync(dir, user.uid, user.gid);
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) chownSync(join(e.parentPath, e.name), user.uid, user.gid);
}

/** The WAL archive of a cluster made with `archive: true` (continuous archiving, for point-in-time recovery). */
export const archiveDir = (c: Cluster) => join(c.workDir, 'archive');

/**
 * A PostgreSQL server of the test's own (initdb in a temporary directory, a free port on 127.0.0.1, trust
 * authentication, its socket in that directory), started: unlike the shared server of SHIRUBE_TEST_DATABASE_URL, a
 * test may stop, crash and restart it. With `archive`, it archives its WAL into archiveDir (docs/operations.md).
 */
export async function throwawayCluster(opts: { archive?: boolean } = {}): Promise<Cluster> {
  const root = mkdtempSync(join(tmpdir(), 'shirube-pg-'));
  const user = runAs();
  if (user) chownSync(root, user.uid, user.gid);
  const dataDir = join(root, 'data');
  const port = await freePort();
  const archive = join(root, 'archive');
  const settings: Record<string, string> = { port: String(port), listen_addresses: '127.0.0.1', unix_socket_directories: root, shared_buffers: '32MB' };
  if (opts.archive) {
    mkdirSync(archive);
    if (user) chownSync(archive, user.uid, user.gid);
    Object.assign(settings, { wal_level: 'replica', archive_mode: 'on', archive_command: `test ! -f ${archive}/%f && cp %p ${archive}/%f` });
  }
  try {
    await pgTool('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
    writeFileSync(join(dataDir, 'postgresql.conf'), conf(settings), { flag: 'a' });
    const c = cluster(root, dataDir, port, [root]);
    await c.start();
    return c;
  } catch (e) {
    rmSync(root, { recursive: true, force: true });
    throw e;
  }
}
