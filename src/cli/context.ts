import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { loadConfig, type Config } from '../config.js';
import type { Db, Store } from '../store/db.js';
import { ShirubeError } from '../errors.js';
import { openConfiguredStore } from './serve.js';

export interface CliContext {
  db: Db;
  store: Store;
  config: Config;
  /** The audit log's actor for CLI writes: `cli:<OS user>`. */
  actor: string;
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/**
 * Runs a command on the configured database. An embedded data directory is locked for the command's duration,
 * so a running server (or another command) makes this fail fast with DataDirLockedError.
 */
export async function withStore<T>(fn: (ctx: CliContext) => Promise<T>, opts: { migrate?: boolean } = {}): Promise<T> {
  const config = loadConfig();
  const { store, release } = await openConfiguredStore(config, opts);
  try {
    return await fn({ db: store.db, store, config, actor: `cli:${osUser()}` });
  } finally {
    await store.close();
    release();
  }
}

/** Reads an input file; a missing or unreadable file is an input error (exit 2), not a crash. */
export async function readInput(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ShirubeError('invalid_request', `${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message}`, 'file');
  }
}

/** Reads a secret from standard input (its first line), so it appears neither in `ps` nor in the shell history. */
export async function readStdinLine(what: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const line = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  if (!line) throw new ShirubeError('invalid_request', `${what}: nothing on standard input`, what);
  return line;
}

/** Prints rows as aligned columns (a header first), or JSON with --json. */
export function printTable(rows: Record<string, string>[], json: boolean, data: unknown = rows): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
    return;
  }
  if (!rows.length) return;
  const keys = Object.keys(rows[0]!);
  const width = keys.map((k) => Math.max(k.length, ...rows.map((r) => [...(r[k] ?? '')].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(width[i]! - [...c].length))).join('  ');
  process.stdout.write(`${[line(keys.map((k) => k.toUpperCase())), ...rows.map((r) => line(keys.map((k) => r[k] ?? '')))].join('\n')}\n`);
}

/** A repeatable option whose values may also be space- or comma-separated (`--scope a --scope 'b c'`). */
export const collectList = (v: string, all: string[]) => [...all, ...v.split(/[\s,]+/).filter(Boolean)];
