import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Test files that take minutes: the CLI's child processes, the browser, the fault and soak tests. */
const SLOW = [/^test\/cli\//, /^test\/e2e\//, /^test\/faults\//, /^test\/lrs\/durability\.test\.ts$/];

/**
 * Vitest's order, with the slowest kinds of test file first. A clean checkout (CI) has no record of earlier durations,
 * and Vitest then starts the largest files first: a small, slow file started last keeps one core busy while the
 * other has nothing left to run.
 */
export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => (SLOW.some((r) => r.test(relative(process.cwd(), f.moduleId))) ? 0 : 1);
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}
