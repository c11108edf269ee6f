import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as viteBuild } from 'vite';
import { chromium, type Browser } from 'playwright-core';
import { mtimes } from './mtimes.js';

/** Debian's chromium (apt-get install chromium); CHROMIUM_PATH for another build. */
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
/** Flags for a closed network: without the background-networking ones Chromium keeps dialling Google's hosts. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

export const launchChromium = (): Promise<Browser> => chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });

const WEB = fileURLToPath(new URL('../web/', import.meta.url));
const BUILT_WEB = fileURLToPath(new URL('../dist/web/', import.meta.url));

let built: Promise<string> | undefined;

/**
 * The web UI of the current source, never a stale one: dist/web when every file of it is newer than every file under
 * web/ (CI builds in `npm ci`), else a build into a temporary directory, made once per test file. Callers must not
 * change or remove it.
 */
export function buildWebUi(): Promise<string> {
  const { oldest } = mtimes(BUILT_WEB);
  if (oldest !== Infinity && oldest > mtimes(WEB).newest) return Promise.resolve(BUILT_WEB);
  built ??= (async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'shirube-web-e2e-'));
    process.once('exit', () => rmSync(outDir, { recursive: true, force: true }));
    await viteBuild({ configFile: join(WEB, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true, sourcemap: false } });
    return outDir;
  })();
  return built;
}
