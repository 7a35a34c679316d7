import type { NodeApi, NodeStatus } from '@loopedge/runtime';
import { connectionStatus, type ConnectionState, type MqttConnection, type PublishRequest } from './mqtt-connection.js';
import { propertiesFromText, propertiesToText } from './outgoing-message.js';
import { StoreForwardQueue, type QueueLimits } from './store-forward-queue.js';
import { StoreForwardLoss } from '../../shared/store-forward-loss.js';

/**
 * Messages published before waiting for their acknowledgements. MQTT keeps a
 * connection's publishes in order, so a window keeps the order while the round
 * trips overlap; after a disconnect the unacknowledged rest is sent again from
 * the oldest (QoS 1 may then deliver some twice, as QoS 1 allows).
 */
const SEND_WINDOW = 100;
/** Progress in the status at most this often (losses and connection changes show at once). */
const STATUS_EVERY_MS = 200;

/**
 * Store-and-forward for `mqtt out`: every message goes into the node's durable
 * queue first and is removed only after the broker acknowledged it; one
 * message is in flight at a time, so order is kept across outages and restarts.
 * Losses (overflow, age limit) are counted, shown in the status and warned.
 */
export class StoreForward {
  readonly #queue: StoreForwardQueue;
  #loss: StoreForwardLoss;
  #draining = false;
  #closed = false;
  #state: ConnectionState = 'disconnected';
  #detail: string | undefined;
  #reportedAt = 0;
  #reportTimer: NodeJS.Timeout | undefined;
  readonly #stopStatus: () => void;

  constructor(
    private readonly node: NodeApi,
    private readonly broker: MqttConnection,
    dataDir: string,
    limits: QueueLimits,
  ) {
    this.#queue = new StoreForwardQueue(StoreForwardQueue.fileFor(dataDir, node.id), limits);
    this.#loss = new StoreForwardLoss(node, 'message');
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
    return this.#loss.dropped;
  }

  /** Queue a message durably; throws when the queue is full and the policy refuses new messages. */
  accept(request: PublishRequest): void {
    this.#loss.record(this.#queue.expire(Date.now()), 'older than the age limit');
    const result = this.#queue.enqueue({ topic: request.topic, payload: Buffer.from(request.payload), qos: request.qos, retain: request.retain, properties: propertiesToText(request.properties), queuedAt: Date.now() });
    if (result.droppedOldest > 0) this.#loss.record(result.droppedOldest, 'the oldest, to make room (queue full)');
    if (!result.accepted) {
      this.#loss.record(1, 'the new message (queue full, policy drop-newest)');
      this.#report();
      throw new Error(`mqtt out ${this.node.id}: store-and-forward queue is full (${this.#queue.limits.maxMessages} messages); the message to "${request.topic}" was dropped. Raise the limit or bring the broker back`);
    }
    this.#reportProgress();
    this.#kick();
  }

  close(): void {
    this.#closed = true;
    if (this.#reportTimer) clearTimeout(this.#reportTimer);
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
        this.#loss.record(this.#queue.expire(Date.now()), 'older than the age limit');
        const batch = this.#queue.peekMany(SEND_WINDOW);
        if (batch.length === 0) break;
        const acknowledged: number[] = [];
        const outcomes = await Promise.allSettled(
          batch.map((next) => {
            const properties = propertiesFromText(next.properties);
            return this.broker.publish({ topic: next.topic, payload: next.payload, qos: next.qos, retain: next.retain, ...(properties ? { properties } : {}) }, true).then(() => {
              acknowledged.push(next.seq);
            });
          }),
        );
        if (this.#closed) return;
        this.#queue.removeMany(acknowledged);
        this.#reportProgress();
        // Disconnected: what was not acknowledged stays in the queue, oldest first; the next connect drains again.
        if (outcomes.some((outcome) => outcome.status === 'rejected')) break;
      }
    } finally {
      this.#draining = false;
    }
  }


  /** The status for queue progress, at most every STATUS_EVERY_MS (a flood must not flood the editor). */
  #reportProgress(): void {
    if (this.#reportTimer || this.#closed) return;
    const wait = this.#reportedAt + STATUS_EVERY_MS - Date.now();
    if (wait <= 0) {
      this.#report();
      return;
    }
    this.#reportTimer = setTimeout(() => {
      this.#reportTimer = undefined;
      this.#report();
    }, wait);
    this.#reportTimer.unref();
  }

  #report(): void {
    if (this.#closed) return;
    this.#reportedAt = Date.now();
    if (this.#reportTimer) {
      clearTimeout(this.#reportTimer);
      this.#reportTimer = undefined;
    }
    const base: NodeStatus = connectionStatus(this.#state, this.#detail);
    const queued = this.#queue.size;
    const parts = [base.text ?? ''];
    if (queued > 0) parts.push(`${queued} queued`);
    if (this.#loss.dropped > 0) parts.push(`${this.#loss.dropped} dropped`);
    this.node.status({ ...base, ...(this.#loss.dropped > 0 && base.fill === 'green' ? { fill: 'yellow' } : {}), text: parts.join(', ') });
  }
}
