/**
 * At most `size` statement batches write at once (one per app; WriteOptions.gate). More concurrent transactions
 * than the database has cores to run them only contend for CPU and for the same rollup locks: on a 2-core machine
 * 8 clients got ~11% fewer statements/s through than 3, with three times the latency (docs/lrs.md). The others
 * wait their turn, in order.
 */
export class WriteGate {
  #free: number;
  #waiting: Array<() => void> = [];

  constructor(size: number) {
    this.#free = size;
  }

  async run<T>(f: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((r) => this.#waiting.push(r));
    try {
      return await f();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    }
  }
}
