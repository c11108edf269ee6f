import { describe, expect, it } from 'vitest';
import { progressReporter } from '../../src/cli/progress.js';

/** A stand-in for process.stderr that records what is written. */
function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, s: { isTTY, write: (c: string) => writes.push(c) } as unknown as NodeJS.WriteStream };
}

describe('progressReporter', () => {
  it('prints a few percentage lines when stderr is not a terminal', () => {
    const { writes, s } = stream(false);
    const p = progressReporter('Importing x', s);
    for (let done = 0; done <= 1000; done += 10) p.onProgress(done, 1000);
    p.finish();
    expect(writes).toEqual([
      'Importing x: 0% (0/1000)\n',
      'Importing x: 25% (250/1000)\n',
      'Importing x: 50% (500/1000)\n',
      'Importing x: 75% (750/1000)\n',
      'Importing x: 100% (1000/1000)\n',
    ]);
  });

  it('redraws one line on a terminal and ends it at 100%', () => {
    const { writes, s } = stream(true);
    const p = progressReporter('Importing x', s);
    p.onProgress(0, 4);
    p.onProgress(1, 4); // within 100 ms of the last draw: skipped
    p.onProgress(4, 4); // the end is always drawn
    p.finish();
    expect(writes).toEqual([
      `\rImporting x [${'-'.repeat(30)}]   0% 0/4`,
      `\rImporting x [${'#'.repeat(30)}] 100% 4/4`,
      '\n',
    ]);
    expect(writes.slice(0, -1).every((w) => w.startsWith('\r') && !w.includes('\n'))).toBe(true);
  });
});
