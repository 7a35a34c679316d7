import type { RuntimeLoad } from '@loopedge/runtime';

export interface BackPressureLimits {
  /** Stop reading when the runtime holds more than this many messages (queued + in flight). */
  highWater: number;
  /** Read again once it holds no more than this. */
  lowWater: number;
  /** While paused: how often to look at the load. */
  pollMs: number;
  /**
   * While paused: if no message finished for this long, the backlog is not
   * moving (a node that never calls done, a request that hangs): count it as
   * settled and read again, rather than stop the input for ever.
   */
  stallMs: number;
}

export const DEFAULT_LIMITS: BackPressureLimits = { highWater: 1000, lowWater: 250, pollMs: 2, stallMs: 5000 };

/**
 * Gate between a socket reader and the runtime. mqtt.js hands each received
 * publish to `handleMessage(packet, callback)` and parses the next packet only
 * after the callback: holding it while the runtime is busy stops the parser,
 * then the stream pipe, then the socket, and TCP flow control makes the broker
 * keep the rest. Costs two reads of live counters per message when not busy.
 */
export class BackPressureGate {
  #waiting: Array<() => void> = [];
  #timer: NodeJS.Timeout | undefined;
  /** Work that stopped moving (see stallMs), not counted against the limits. */
  #stuck = 0;
  #lastFinished = 0;
  #lastProgressAt = 0;
  /** How many times reading paused, for status and tests. */
  pauses = 0;

  constructor(
    private readonly load: RuntimeLoad,
    private readonly limits: BackPressureLimits = DEFAULT_LIMITS,
    private readonly onStall: (held: number) => void = () => {},
  ) {}

  get paused(): boolean {
    return this.#timer !== undefined;
  }

  #backlog(): number {
    const held = this.load.queued + this.load.inFlight;
    if (held < this.#stuck) this.#stuck = held;
    return held - this.#stuck;
  }

  /** Call `resume` now if the runtime has room, else once it drained below the low-water mark. */
  whenReady(resume: () => void): void {
    if (this.#timer === undefined && this.#backlog() <= this.limits.highWater) {
      resume();
      return;
    }
    this.#waiting.push(resume);
    if (this.#timer === undefined) {
      this.pauses++;
      this.#lastFinished = this.load.finished;
      this.#lastProgressAt = Date.now();
      this.#timer = setInterval(() => this.#check(), this.limits.pollMs);
    }
  }

  /** Let everything waiting go (the connection closes). */
  release(): void {
    this.#stop();
  }

  #check(): void {
    const finished = this.load.finished;
    const now = Date.now();
    if (finished !== this.#lastFinished) {
      this.#lastFinished = finished;
      this.#lastProgressAt = now;
    } else if (now - this.#lastProgressAt >= this.limits.stallMs) {
      const held = this.load.queued + this.load.inFlight;
      this.#stuck = held;
      this.onStall(held);
    }
    if (this.#backlog() <= this.limits.lowWater) this.#stop();
  }

  #stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const resume of waiting) resume();
  }
}
