import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { FlowMessage, NodeApi } from '@loopedge/runtime';
// The mqtt out queue stores a text key and a binary body per message: the
// same durable FIFO serves HTTP requests (key = the request line as JSON).
import { StoreForwardQueue, type QueueLimits } from '../../northbound/mqtt-shared/store-forward-queue.js';
import { RequestTimeoutError, sendRequest, type IncomingResult, type OutgoingRequest } from './http-transport.js';
import type { BuiltRequest } from './request-builder.js';
import { StoreForwardLoss } from '../../shared/store-forward-loss.js';

const FIRST_RETRY_MS = 250;

/** What is kept on disk per request besides its body. Never the node's credentials: they are added when sending. */
interface StoredRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  hasBody: boolean;
  msgid: string;
  topic?: string;
}

export interface HttpForwarding {
  /** Send one stored request (the node adds credentials, agents, timeout). */
  send(request: Omit<OutgoingRequest, 'timeoutMs' | 'maxRedirects'>, signal: AbortSignal): Promise<IncomingResult>;
  /** A delivered request's response, as the message the node sends on. */
  delivered(msg: FlowMessage, result: IncomingResult): void;
  /** Longest wait between retries, ms. */
  retryMaxMs: number;
}

/** 5xx, 408 and 429 mean "not now": the request stays queued. Other 4xx will never succeed. */
export function isRetryable(statusCode: number): boolean {
  return statusCode >= 500 || statusCode === 408 || statusCode === 429;
}

/**
 * Store-and-forward for `http request` as a cloud output: each request is
 * committed to the node's durable queue before its message is done, and leaves
 * it only once the endpoint answered for good, one at a time so order is kept
 * across outages and restarts. Unreachable, timeout, 5xx, 408, 429: retried with
 * back-off. Other 4xx: removed and reported to catch nodes. Losses to the
 * limits are counted, shown in the status and warned.
 */
export class HttpStoreForward {
  readonly #queue: StoreForwardQueue;
  readonly #stopping = new AbortController();
  #loss: StoreForwardLoss;
  #draining = false;
  #retryMs = FIRST_RETRY_MS;
  #retryTimer: NodeJS.Timeout | undefined;
  #wake: (() => void) | undefined;
  #problem: string | undefined;

  constructor(
    private readonly node: NodeApi,
    dataDir: string,
    limits: QueueLimits,
    private readonly forwarding: HttpForwarding,
  ) {
    this.#loss = new StoreForwardLoss(node, 'request');
    const dir = join(dataDir, 'store-forward');
    mkdirSync(dir, { recursive: true });
    this.#queue = new StoreForwardQueue(join(dir, `http-request-${node.id.replace(/[^A-Za-z0-9_.-]/g, '_')}.sqlite`), limits);
    this.#report();
    this.#kick(); // what an earlier run left behind goes first
  }

  get queued(): number {
    return this.#queue.size;
  }

  /** Queue a request durably; throws when the queue is full and the policy refuses new requests. */
  accept(request: BuiltRequest, msg: FlowMessage): void {
    this.#loss.record(this.#queue.expire(Date.now()), 'older than the age limit');
    const stored: StoredRequest = { method: request.method, url: request.url.toString(), headers: request.headers, hasBody: request.body !== undefined, msgid: msg._msgid, ...(typeof msg.topic === 'string' ? { topic: msg.topic } : {}) };
    const result = this.#queue.enqueue({ topic: JSON.stringify(stored), payload: request.body ?? Buffer.alloc(0), qos: 0, retain: false, properties: null, queuedAt: Date.now() });
    if (result.droppedOldest > 0) this.#loss.record(result.droppedOldest, 'the oldest, to make room (queue full)');
    if (!result.accepted) {
      this.#loss.record(1, 'the new request (queue full, policy drop-newest)');
      this.#report();
      throw new Error(`http request ${this.node.id}: store-and-forward queue is full (${this.#queue.limits.maxMessages} requests); ${request.method} ${request.url.toString()} was dropped. Raise sfMaxMessages or bring the endpoint back`);
    }
    this.#report();
    this.#kick();
  }

  close(): void {
    this.#stopping.abort();
    clearTimeout(this.#retryTimer);
    this.#wake?.();
    this.#queue.close();
  }

  #kick(): void {
    if (!this.#draining) void this.#drain();
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (!this.#stopping.signal.aborted) {
        this.#loss.record(this.#queue.expire(Date.now()), 'older than the age limit');
        const next = this.#queue.peek();
        if (!next) break;
        const stored = JSON.parse(next.topic) as StoredRequest;
        const target = `${stored.method} ${stored.url}`;
        let result: IncomingResult;
        try {
          result = await this.forwarding.send({ url: new URL(stored.url), method: stored.method, headers: stored.headers, ...(stored.hasBody ? { body: next.payload } : {}) }, this.#stopping.signal);
        } catch (error) {
          if (this.#stopping.signal.aborted) return; // closing: the request stays queued for the next start
          const why = error instanceof RequestTimeoutError ? 'no response' : ((error as NodeJS.ErrnoException).code ?? (error as Error).message);
          await this.#retryLater(`${why}`);
          continue;
        }
        if (this.#stopping.signal.aborted) return;
        if (isRetryable(result.statusCode)) {
          await this.#retryLater(`answered ${result.statusCode}`);
          continue;
        }
        this.#queue.remove(next.seq);
        this.#retryMs = FIRST_RETRY_MS;
        this.#problem = undefined;
        this.#report();
        const msg: FlowMessage = { _msgid: stored.msgid, ...(stored.topic !== undefined ? { topic: stored.topic } : {}) };
        if (result.statusCode >= 400) {
          this.node.error(`http request ${this.node.id}: ${target} answered ${result.statusCode}, which will not change on retry; the request was removed from the store-and-forward queue`, { ...msg, statusCode: result.statusCode, payload: result.body.toString('utf8') });
        } else {
          this.forwarding.delivered(msg, result);
        }
      }
    } finally {
      this.#draining = false;
    }
  }

  /** Back-off doubling up to retryMaxMs; close() ends the wait at once. */
  async #retryLater(problem: string): Promise<void> {
    this.#problem = problem;
    this.#report();
    const wait = this.#retryMs;
    this.#retryMs = Math.min(this.#retryMs * 2, this.forwarding.retryMaxMs);
    await new Promise<void>((resolve) => {
      this.#wake = resolve;
      this.#retryTimer = setTimeout(resolve, wait);
      this.#retryTimer.unref();
    });
    this.#wake = undefined;
  }


  #report(): void {
    if (this.#stopping.signal.aborted) return;
    const queued = this.#queue.size;
    const parts: string[] = [];
    if (this.#problem) parts.push(`retrying: ${this.#problem}`);
    parts.push(`${queued} queued`);
    if (this.#loss.dropped > 0) parts.push(`${this.#loss.dropped} dropped`);
    const fill = this.#problem ? 'red' : this.#loss.dropped > 0 ? 'yellow' : 'green';
    this.node.status({ fill, shape: queued > 0 ? 'ring' : 'dot', text: parts.join(', ') });
  }
}
