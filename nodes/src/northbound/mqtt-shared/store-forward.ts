import type { NodeApi, NodeStatus } from '@loopedge/runtime';
import { connectionStatus, type ConnectionState, type MqttConnection, type PublishRequest } from './mqtt-connection.js';
import { propertiesFromText, propertiesToText } from './outgoing-message.js';
import { StoreForwardQueue, type QueueLimits } from './store-forward-queue.js';

/** Warn on the first loss and then once per this many, so a flood cannot flood the log; the status always has the count. */
const WARN_EVERY = 100;

/**
 * Store-and-forward for `mqtt out`: every message goes into the node's durable
 * queue first and is removed only after the broker acknowledged it; one
 * message is in flight at a time, so order is kept across outages and restarts.
 * Losses (overflow, age limit) are counted, shown in the status and warned.
 */
export class StoreForward {
  readonly #queue: StoreForwardQueue;
  #dropped = 0;
  #warnedAt = 0;
  #draining = false;
  #closed = false;
  #state: ConnectionState = 'disconnected';
  #detail: string | undefined;
  readonly #stopStatus: () => void;

  constructor(
    private readonly node: NodeApi,
    private readonly broker: MqttConnection,
    dataDir: string,
    limits: QueueLimits,
  ) {
    this.#queue = new StoreForwardQueue(StoreForwardQueue.fileFor(dataDir, node.id), limits);
    this.#stopStatus = broker.use((state, detail) => {
      this.#state = state;
      this.#detail = detail;
      this.#report();
      if (state === 'connected') this.#kick();
    });
  }

  get queued(): number {
    return this.#queue.size;
  }

  get dropped(): number {
    return this.#dropped;
  }

  /** Queue a message durably; throws when the queue is full and the policy refuses new messages. */
  accept(request: PublishRequest): void {
    this.#countLoss(this.#queue.expire(Date.now()), 'older than the age limit');
    const result = this.#queue.enqueue({ topic: request.topic, payload: Buffer.from(request.payload), qos: request.qos, retain: request.retain, properties: propertiesToText(request.properties), queuedAt: Date.now() });
    if (result.droppedOldest > 0) this.#countLoss(result.droppedOldest, 'the oldest, to make room (queue full)');
    if (!result.accepted) {
      this.#countLoss(1, 'the new message (queue full, policy drop-newest)');
      this.#report();
      throw new Error(`mqtt out ${this.node.id}: store-and-forward queue is full (${this.#queue.limits.maxMessages} messages); the message to "${request.topic}" was dropped. Raise the limit or bring the broker back`);
    }
    this.#report();
    this.#kick();
  }

  close(): void {
    this.#closed = true;
    this.#stopStatus();
    this.#queue.close();
  }

  #kick(): void {
    if (!this.#draining) void this.#drain();
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (!this.#closed && this.broker.state === 'connected') {
        this.#countLoss(this.#queue.expire(Date.now()), 'older than the age limit');
        const next = this.#queue.peek();
        if (!next) break;
        const properties = propertiesFromText(next.properties);
        try {
          await this.broker.publish({ topic: next.topic, payload: next.payload, qos: next.qos, retain: next.retain, ...(properties ? { properties } : {}) }, true);
        } catch {
          break; // disconnected: the message stays first in the queue; the next connect drains again
        }
        if (this.#closed) return;
        this.#queue.remove(next.seq);
        this.#report();
      }
    } finally {
      this.#draining = false;
    }
  }

  #countLoss(count: number, which: string): void {
    if (count <= 0) return;
    this.#dropped += count;
    if (this.#warnedAt === 0 || this.#dropped - this.#warnedAt >= WARN_EVERY) {
      this.#warnedAt = this.#dropped;
      this.node.warn(`mqtt out ${this.node.id}: store-and-forward dropped ${count} message(s), ${which}; ${this.#dropped} dropped since start`);
    }
  }

  #report(): void {
    if (this.#closed) return;
    const base: NodeStatus = connectionStatus(this.#state, this.#detail);
    const queued = this.#queue.size;
    const parts = [base.text ?? ''];
    if (queued > 0) parts.push(`${queued} queued`);
    if (this.#dropped > 0) parts.push(`${this.#dropped} dropped`);
    this.node.status({ ...base, ...(this.#dropped > 0 && base.fill === 'green' ? { fill: 'yellow' } : {}), text: parts.join(', ') });
  }
}
