// Past this many, the set starts again (it only saves work: forgetting costs one short transaction).
const MAX_ENTRIES = 200_000;

/**
 * The actor IFIs and Activity ids this server has seen stored (one per app). A batch naming others first stores
 * their learners and Activities in a short transaction of its own (src/lrs/statements.ts): concurrent batches
 * naming the same new ones then wait for that, not for each other's whole batch. The set is only a hint: the batch's
 * transaction reads them again and, should one be gone (an erased learner), stores it and starts over.
 */
export class FirstSeen {
  #known = new Set<string>();

  unknown(keys: string[]): string[] {
    return keys.filter((k) => !this.#known.has(k));
  }

  add(keys: Iterable<string>): void {
    if (this.#known.size > MAX_ENTRIES) this.#known = new Set();
    for (const k of keys) this.#known.add(k);
  }
}
