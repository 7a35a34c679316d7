import type { FlowMessage } from '../node-api/message.js';

/** Anything the scheduler can deliver a message to. */
export interface MessageTarget {
  deliver(msg: FlowMessage): void;
  queued: number;
}

/**
 * One FIFO queue of pending deliveries for the whole runtime.
 *
 * Node-RED schedules every delivery with its own `setImmediate`. We drain the
 * queue in batches instead and yield to the event loop after a time slice, so
 * timers and I/O still run between slices (a busy node cannot starve others:
 * its sends go to the back of the queue) while the per-message cost stays low.
 */
export class DeliveryScheduler {
  #targets: MessageTarget[] = [];
  #messages: FlowMessage[] = [];
  #head = 0;
  #scheduled = false;
  #paused = 0;
  readonly #sliceMs: number;
  readonly #drain = (): void => this.#run();

  constructor(sliceMs = 4) {
    this.#sliceMs = sliceMs;
  }

  get pending(): number {
    return this.#targets.length - this.#head;
  }

  /** Messages handed to a node's input and not yet done (kept by RuntimeNode). */
  inFlight = 0;
  /** Messages whose done() has been called since start (kept by RuntimeNode); shows that work moves. */
  finished = 0;

  /** RuntimeLoad, read by nodes for back-pressure (NodeApi.load). */
  get queued(): number {
    return this.pending;
  }

  enqueue(target: MessageTarget, msg: FlowMessage): void {
    this.#targets.push(target);
    this.#messages.push(msg);
    target.queued++;
    if (!this.#scheduled && this.#paused === 0) {
      this.#scheduled = true;
      setImmediate(this.#drain);
    }
  }

  /** Hold deliveries while a deploy swaps nodes; calls nest. */
  pause(): void {
    this.#paused++;
  }

  resume(): void {
    if (this.#paused > 0) this.#paused--;
    if (this.#paused === 0 && this.pending > 0 && !this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#drain);
    }
  }

  /** Drop every pending delivery (runtime stop). */
  clear(): void {
    for (let i = this.#head; i < this.#targets.length; i++) this.#targets[i]!.queued--;
    this.#targets = [];
    this.#messages = [];
    this.#head = 0;
  }

  #run(): void {
    this.#scheduled = false;
    if (this.#paused > 0) return;
    const deadline = performance.now() + this.#sliceMs;
    let count = 0;
    while (this.#head < this.#targets.length) {
      const index = this.#head++;
      const target = this.#targets[index]!;
      const msg = this.#messages[index]!;
      // Release references now so delivered messages can be collected.
      (this.#targets as Array<MessageTarget | undefined>)[index] = undefined;
      (this.#messages as Array<FlowMessage | undefined>)[index] = undefined;
      target.queued--;
      target.deliver(msg);
      if (this.#paused > 0) break;
      if ((++count & 63) === 0 && performance.now() > deadline) break;
    }
    this.#compact();
    if (this.pending > 0 && !this.#scheduled && this.#paused === 0) {
      this.#scheduled = true;
      setImmediate(this.#drain);
    }
  }

  #compact(): void {
    if (this.#head === this.#targets.length) {
      this.#targets = [];
      this.#messages = [];
      this.#head = 0;
    } else if (this.#head > 4096 && this.#head * 2 > this.#targets.length) {
      this.#targets = this.#targets.slice(this.#head);
      this.#messages = this.#messages.slice(this.#head);
      this.#head = 0;
    }
  }
}
