import type { NodeApi, NodeStatus } from '@loopedge/runtime';
import type { AlertNotification } from '../shared/alert-notification.js';
import { retryDelay, type BackoffPolicy } from './backoff.js';
import type { NotificationQueue, PendingNotification } from './notification-queue.js';
import { StormLimiter, nextDelivery, summarize, type StormSummary } from './storm-limiter.js';

/** One delivery attempt: a notification on its own, or the summary of those a storm held back. */
export type Delivery =
  | { kind: 'alert'; deliveryId: string; notification: AlertNotification }
  | { kind: 'summary'; deliveryId: string; summary: StormSummary; notifications: AlertNotification[] };

/** How a notifier reaches its channel (SMTP, HTTPS, MQTT). A rejection means "not delivered, try again later". */
export interface NotifierChannel {
  deliver(delivery: Delivery): Promise<void>;
}

export interface NotifierCounters {
  delivered: number;
  /** Failed attempts (each retried later; nothing is dropped). */
  failed: number;
  /** Notifications folded into summaries. */
  summarized: number;
  summaries: number;
}

export interface DispatcherOptions {
  maxPerMinute: number;
  backoff: BackoffPolicy;
  now?: () => number;
  random?: () => number;
}

/** How long `close` waits for a delivery in flight before closing the queue (the runtime bounds close too). */
const CLOSE_GRACE_MS = 1500;
const STATUS_ERROR_CHARS = 80;
/** Most notifications one summary stands for: after a long outage the queue can be huge; the rest go in the next one. */
const MAX_SUMMARIZED = 500;

/**
 * Delivers a notifier's queue in order, one delivery at a time, within the
 * storm limit, retrying with back-off while the channel is down. The queue is
 * the truth: a notification leaves it only after the channel took it, so
 * `close` at any moment (deploy, restart) loses nothing; at worst the one in
 * flight is delivered again after the restart, with the same delivery id.
 */
export class NotifierDispatcher {
  readonly counters: NotifierCounters = { delivered: 0, failed: 0, summarized: 0, summaries: 0 };
  readonly #limiter: StormLimiter;
  readonly #now: () => number;
  readonly #random: () => number;
  #inFlight: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #wakeAt = 0;
  #attempt = 0;
  #lastError: string | undefined;
  #closed = false;

  constructor(
    private readonly node: NodeApi,
    private readonly queue: NotificationQueue,
    private readonly channel: NotifierChannel,
    private readonly options: DispatcherOptions,
  ) {
    this.#limiter = new StormLimiter(options.maxPerMinute);
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#report();
    this.#pump();
  }

  get queued(): number {
    return this.#closed ? 0 : this.queue.size;
  }

  get lastError(): string | undefined {
    return this.#lastError;
  }

  /** Accept a notification: committed to the queue before this returns; never throws into the caller. */
  enqueue(notification: AlertNotification): void {
    if (this.#closed) {
      this.node.warn(`${this.node.type} ${this.node.id}: a notification for "${notification.key}" arrived while the notifier was stopping; it was not queued`);
      return;
    }
    try {
      this.queue.enqueue(notification, this.#now());
    } catch (error) {
      this.node.error(`${this.node.type} ${this.node.id}: could not queue the notification for "${notification.key}": ${(error as Error).message}. Check the data folder (disk full or read-only?)`);
      return;
    }
    this.#report();
    this.#pump();
  }

  /** Try now instead of waiting for the back-off (the channel says it is back, e.g. a broker reconnected). */
  retryNow(): void {
    if (this.#closed || this.#attempt === 0) return;
    this.#clearTimer();
    this.#pump();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#clearTimer();
    const inFlight = this.#inFlight;
    if (inFlight) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([inFlight, new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS)))]);
      clearTimeout(timer);
    }
    this.queue.close();
  }

  #pump(): void {
    if (this.#closed || this.#inFlight || this.#timer) return;
    const now = this.#now();
    const queued = this.queue.size;
    const choice = nextDelivery(queued, this.#limiter.available(now));
    if (choice === 'none') return this.#report();
    if (choice === 'wait') {
      this.#report();
      return this.#sleepUntil(this.#limiter.nextSlotAt(now));
    }
    const pending = choice === 'single' ? this.queue.head(1) : this.queue.head(Math.min(queued, MAX_SUMMARIZED));
    const delivery = this.#deliveryFor(pending, choice, now, queued - pending.length);
    this.#report();
    // Promise.resolve().then: a channel that throws synchronously is a failed attempt too, never an error in notify().
    this.#inFlight = Promise.resolve()
      .then(() => this.channel.deliver(delivery))
      .then(
        () => this.#delivered(pending, delivery),
        (error: unknown) => this.#failed(error),
      )
      .catch((error: unknown) => {
        // The queue itself failed (disk full, read-only): back off like a channel failure rather than resend in a loop.
        this.node.error(`${this.node.type} ${this.node.id}: the notification queue failed: ${(error as Error).message}. Check the data folder (disk full or read-only?)`);
        this.#failed(error);
      })
      .finally(() => {
        this.#inFlight = undefined;
        this.#pump();
      });
  }

  #deliveryFor(pending: PendingNotification[], choice: 'single' | 'summary', now: number, remaining: number): Delivery {
    if (choice === 'single') return { kind: 'alert', deliveryId: pending[0]!.deliveryId, notification: pending[0]!.notification };
    // A summary's id is that of the first notification it covers: a retry of the same summary keeps it.
    return { kind: 'summary', deliveryId: `summary-${pending[0]!.deliveryId}`, summary: summarize(pending, now, remaining), notifications: pending.map((p) => p.notification) };
  }

  #delivered(pending: PendingNotification[], delivery: Delivery): void {
    if (this.#closed) return; // the queue may be closed: the item stays and goes again after a restart
    this.queue.remove(pending.map((p) => p.seq));
    this.#limiter.record(this.#now());
    this.counters.delivered += 1;
    if (delivery.kind === 'summary') {
      this.counters.summaries += 1;
      this.counters.summarized += pending.length;
    }
    if (this.#attempt > 0) this.node.log(`${this.node.type} ${this.node.id}: delivering again after ${this.#attempt} failed attempt(s)`);
    this.#attempt = 0;
    this.#lastError = undefined;
  }

  #failed(error: unknown): void {
    if (this.#closed) return;
    const message = error instanceof Error ? error.message : String(error);
    this.counters.failed += 1;
    this.#attempt += 1;
    const delay = retryDelay(this.#attempt, this.options.backoff, this.#random);
    // Warn on the first failure and whenever the reason changes, not on every retry.
    if (message !== this.#lastError) this.node.warn(`${this.node.type} ${this.node.id}: delivery failed (${this.queue.size} queued, retrying with back-off, first in ${Math.round(delay / 1000)} s): ${message}`);
    this.#lastError = message;
    this.#sleepUntil(this.#now() + delay);
    this.#report();
  }

  #sleepUntil(at: number): void {
    this.#clearTimer();
    this.#wakeAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#pump();
    }, Math.max(0, at - this.#now()));
    // The queue is durable: a pending retry must not keep a stopping process alive.
    this.#timer.unref();
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #report(): void {
    if (this.#closed) return;
    const queued = this.queue.size;
    const { delivered } = this.counters;
    let status: NodeStatus;
    if (this.#lastError) {
      const seconds = Math.max(0, Math.round((this.#wakeAt - this.#now()) / 1000));
      const reason = this.#lastError.length > STATUS_ERROR_CHARS ? `${this.#lastError.slice(0, STATUS_ERROR_CHARS - 1)}…` : this.#lastError;
      status = { fill: 'red', shape: 'ring', text: `${queued} queued, retry in ${seconds} s: ${reason}` };
    } else if (queued > 0 && this.#limiter.available(this.#now()) <= 0) {
      status = { fill: 'yellow', shape: 'dot', text: `${queued} held (storm limit ${this.options.maxPerMinute}/min)` };
    } else if (queued > 0) {
      status = { fill: 'yellow', shape: 'ring', text: `sending, ${queued} queued` };
    } else {
      status = { fill: 'green', shape: 'dot', text: delivered > 0 ? `ready, ${delivered} sent` : 'ready' };
    }
    this.node.status(status);
  }
}
