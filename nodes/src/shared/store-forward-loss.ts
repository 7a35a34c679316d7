import type { NodeApi } from '@loopedge/runtime';

// Store-and-forward never loses silently: every message or request dropped by
// the queue's limits (size, age) is counted, warned about (not once per message
// under a flood) and raised as a system alert, one open alert per node, so an
// operator hears about it once and acknowledges it (DESIGN: alerts).

/** Warn again after this many more drops, so a flood of drops does not flood the log. */
const WARN_EVERY = 100;

export class StoreForwardLoss {
  #dropped = 0;
  #warnedAt = 0;

  constructor(
    private readonly node: NodeApi,
    /** What is queued, for people: 'message' (mqtt out) or 'request' (http request). */
    private readonly item: 'message' | 'request',
  ) {}

  get dropped(): number {
    return this.#dropped;
  }

  /** Count `count` dropped items; `which` says which ones and why ("older than the age limit"). */
  record(count: number, which: string): void {
    if (count <= 0) return;
    this.#dropped += count;
    const label = `${this.node.type} ${this.node.name || this.node.id}`;
    this.node.host.alerts?.raise({
      key: `system:store-forward:${this.node.id}`,
      severity: 'major',
      title: `Store-and-forward of ${label} dropped ${this.item}s`,
      message: `${count} ${this.item}(s) dropped, ${which}; ${this.#dropped} since start. Raise the limits (sfMaxMessages, sfMaxAge) or bring the destination back.`,
      source: { nodeId: this.node.id, flowId: this.node.z, ...(this.node.name ? { name: this.node.name } : {}) },
      value: { dropped: this.#dropped },
    });
    if (this.#warnedAt === 0 || this.#dropped - this.#warnedAt >= WARN_EVERY) {
      this.#warnedAt = this.#dropped;
      this.node.warn(`${this.node.type} ${this.node.id}: store-and-forward dropped ${count} ${this.item}(s), ${which}; ${this.#dropped} dropped since start`);
    }
  }
}
