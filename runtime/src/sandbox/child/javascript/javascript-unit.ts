/**
 * One JavaScript function node, live in the sandbox process: its own
 * isolated-vm isolate (memory cap), its compiled code, host-driven timers and
 * the time limit.
 *
 * Messages enter the isolate in batches (one entry call for many messages,
 * their texts joined into one JSON array) and up to two calls are queued at
 * once, so the isolate's thread works on one batch while this thread reads the
 * previous one's outbox. The time limit covers async work: isolated-vm's
 * timeout bounds each entry call including its microtasks, a watchdog bounds
 * each message from entry to completion (awaits, never-settling promises, a
 * host request that never returns). On expiry, or when the isolate runs out of
 * memory, the isolate is disposed and a fresh one compiled, its On Start run
 * again; the messages inside fail.
 */
import { runBatchEntryId } from './run-batch-ids.js';
import type IsolatedVM from 'isolated-vm';
import type { EncodedRunOutcome, EncodedValue, RunOptions, RunOutcome, UserCodeHost, UserCodeSpec, UserCodeUnit } from '../language-engine.js';
import { frameEncoded, unframe, type ValueCodecLimits } from '../../wire-format.js';
import type { BootstrapConfig, EntryOp } from './isolate-bootstrap.js';
import { readOutbox, type IsolateEvent } from './outbox-reader.js';
import { usesNodeDone } from './source-checks.js';
import { HostRequests } from './host-requests.js';
import { createIsolateInstance, disposeQuietly, isCompileFailure } from './isolate-instance.js';

export interface JavaScriptLimits {
  maxValueBytes: number;
  maxDepth: number;
  maxSendsPerMessage: number;
  maxLogsPerMessage: number;
  maxLogChars: number;
  maxTimers: number;
}

export interface JavaScriptUnitOptions {
  ivm: typeof IsolatedVM;
  bootstrap: string;
  timeoutMs: number;
  memoryLimitMb: number;
  limits: JavaScriptLimits;
}

interface PendingRun {
  runId: number;
  returnMessage: boolean;
  value: EncodedValue;
  resolve(outcome: EncodedRunOutcome): void;
  deadline: number;
}

/** Target duration of one entry call: short enough to keep the time limit per message meaningful. */
const TARGET_BATCH_MS = 8;
const MAX_BATCH = 256;
/** Entry calls queued on the isolate at once. */
const PIPELINE = 2;
/** Extra time a busy entry call gets beyond the limit before the watchdog disposes the isolate itself. */
const WATCHDOG_GRACE_MS = 250;
const WATCHDOG_INTERVAL_MS = 25;
/** Longest On Stop (and the calls queued before it) may take when the node closes. */
const CLOSE_LIMIT_MS = 5000;

export class JavaScriptUnit implements UserCodeUnit {
  readonly #spec: UserCodeSpec;
  readonly #host: UserCodeHost;
  readonly #options: JavaScriptUnitOptions;
  readonly #config: BootstrapConfig;
  readonly #limits: ValueCodecLimits;
  readonly #requests: HostRequests;
  #isolate: IsolatedVM.Isolate | undefined;
  #entry: IsolatedVM.Reference | undefined;
  #generation = 0;
  #ready = false;
  #broken: string | undefined;
  #closed = false;
  /** Start times of the entry calls queued on the isolate, oldest first. */
  #calls: number[] = [];
  #nextRunId = 1;
  readonly #queue: PendingRun[] = [];
  readonly #inside = new Map<number, PendingRun>();
  readonly #timers = new Map<number, NodeJS.Timeout>();
  #dueTimers: number[] = [];
  #msPerMessage = 0.05;
  #watchdog: NodeJS.Timeout | undefined;
  #pumpScheduled = false;

  constructor(spec: UserCodeSpec, host: UserCodeHost, options: JavaScriptUnitOptions) {
    this.#spec = spec;
    this.#host = host;
    this.#options = options;
    this.#limits = { maxBytes: options.limits.maxValueBytes, maxDepth: options.limits.maxDepth };
    this.#config = { nodeId: spec.nodeId, name: spec.name, outputs: spec.outputs, usesDone: usesNodeDone(spec.func), filename: `Function node:${spec.nodeId}`, ...options.limits };
    this.#requests = new HostRequests(options.ivm, host, spec, this.#limits, (entries) => this.#apply(readOutbox(entries).events));
  }

  /** Compile everything and run On Start; a compile error rejects with its position in the user's code. */
  async start(): Promise<void> {
    await this.#boot(true);
  }

  async run(msg: Uint8Array, options?: RunOptions): Promise<RunOutcome> {
    let value: EncodedValue;
    try {
      value = unframe(msg, this.#limits);
    } catch (error) {
      return { ok: false, error: { message: `The message cannot enter the function: ${(error as Error).message}` } };
    }
    const outcome = await this.runEncoded(value, options);
    const changed = outcome.msg ? frameEncoded(outcome.msg, this.#limits) : undefined;
    if (outcome.ok) return { ok: true, result: null, ...(changed ? { msg: changed } : {}) };
    return { ok: false, error: outcome.error, ...(outcome.timedOut ? { timedOut: true } : {}), ...(changed ? { msg: changed } : {}) };
  }

  runEncoded(msg: EncodedValue, options?: RunOptions): Promise<EncodedRunOutcome> {
    if (this.#closed) return Promise.resolve({ ok: false, error: { message: 'The function node is closed' } });
    if (this.#broken) return Promise.resolve({ ok: false, error: { message: this.#broken } });
    if (msg.json.length > this.#limits.maxBytes) return Promise.resolve({ ok: false, error: { message: `The message is larger than ${this.#limits.maxBytes} bytes` } });
    return new Promise((resolve) => {
      this.#queue.push({ runId: this.#nextRunId++, returnMessage: options?.returnMessage === true, value: msg, resolve, deadline: 0 });
      this.#schedulePump();
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.length = 0;
    const entry = this.#entry;
    if (entry && this.#ready) {
      // On Stop waits behind calls still running; a stuck one must not hold the close.
      const limit = Math.min(this.#options.timeoutMs, CLOSE_LIMIT_MS);
      let timer: NodeJS.Timeout | undefined;
      const closing = entry.apply(undefined, ['close' satisfies EntryOp], { result: { copy: true }, timeout: limit }).then(
        (out) => this.#apply(readOutbox(out).events),
        (error: unknown) => this.#host.log('error', `On Stop did not finish: ${(error as Error).message}`),
      );
      await Promise.race([closing, new Promise<void>((resolve) => (timer = setTimeout(resolve, limit + WATCHDOG_GRACE_MS)))]);
      clearTimeout(timer);
    }
    this.#teardown();
    // Messages still inside are dropped, as Node-RED drops them when a node closes.
    this.#inside.clear();
  }

  // ---- isolate lifecycle ----

  async #boot(first: boolean): Promise<void> {
    const generation = ++this.#generation;
    try {
      const instance = await createIsolateInstance(this.#options.ivm, {
        memoryLimitMb: this.#options.memoryLimitMb,
        bootstrap: this.#options.bootstrap,
        config: this.#config,
        spec: this.#spec,
        host: this.#requests.handler(() => this.#generation === generation),
      });
      if (generation !== this.#generation) return disposeQuietly(instance.isolate);
      this.#isolate = instance.isolate;
      this.#entry = instance.entry;
      // On Start's synchronous part runs now; an async On Start finishes later
      // (messages that arrive meanwhile wait for it inside the isolate).
      const out = await instance.entry.apply(undefined, ['init' satisfies EntryOp], { result: { copy: true }, timeout: this.#options.timeoutMs });
      if (generation !== this.#generation) return;
      this.#apply(readOutbox(out).events);
      this.#ready = true;
      this.#schedulePump();
    } catch (error) {
      if (generation !== this.#generation) return;
      this.#disposeIsolate();
      if (first && isCompileFailure(error)) throw error;
      const reason = `The function could not be ${first ? 'started' : 'restarted'}: ${describeFailure(error, this.#options)}`;
      if (first) throw new Error(reason);
      this.#broken = reason;
      for (const run of this.#queue.splice(0)) run.resolve({ ok: false, error: { name: 'Error', message: reason } });
    }
  }

  #teardown(): void {
    this.#generation++;
    this.#disposeIsolate();
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#dueTimers = [];
    if (this.#watchdog) clearInterval(this.#watchdog);
    this.#watchdog = undefined;
  }

  #disposeIsolate(): void {
    const isolate = this.#isolate;
    this.#isolate = undefined;
    this.#entry = undefined;
    this.#ready = false;
    this.#calls = [];
    disposeQuietly(isolate);
  }

  /** Dispose the isolate, fail what was inside, start a fresh one. */
  #reset(culprits: ReadonlySet<number>, culpritError: string, timedOut: boolean): void {
    this.#teardown();
    const others = `The function was reset while this message was in progress (${culpritError.charAt(0).toLowerCase()}${culpritError.slice(1)})`;
    for (const run of this.#inside.values()) {
      const culprit = culprits.has(run.runId);
      run.resolve({ ok: false, error: { name: 'Error', message: culprit ? culpritError : others }, timedOut: culprit && timedOut });
    }
    this.#inside.clear();
    if (culprits.size === 0) this.#host.log('error', culpritError);
    if (!this.#closed) void this.#boot(false);
  }

  // ---- running ----

  #schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    setImmediate(() => {
      this.#pumpScheduled = false;
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#ready && !this.#closed && this.#calls.length < PIPELINE) {
      if (this.#dueTimers.length > 0) {
        const ids = this.#dueTimers;
        this.#dueTimers = [];
        void this.#enter('timers', [ids], true);
      } else if (this.#queue.length > 0) {
        this.#enterBatch();
      } else return;
    }
  }

  /** The next batch, sized so one entry call stays short, as one text (see the bootstrap's runBatch). */
  #enterBatch(): void {
    const limit = Math.min(this.#options.timeoutMs / 10, TARGET_BATCH_MS);
    const size = Math.max(1, Math.min(MAX_BATCH, Math.floor(limit / this.#msPerMessage)));
    const batch = this.#queue.splice(0, size);
    const deadline = Date.now() + this.#options.timeoutMs;
    const ids: string[] = [];
    const texts: string[] = [];
    const binaries: Uint8Array[] = [];
    for (const run of batch) {
      run.deadline = deadline;
      this.#inside.set(run.runId, run);
      const { json, binaries: own } = run.value;
      ids.push(runBatchEntryId({ runId: run.runId, returnMessage: run.returnMessage, tagged: json.indexOf('\\u0000') !== -1, attachments: own.length }));
      for (const binary of own) binaries.push(binary);
      texts.push(json);
    }
    const args: unknown[] = [ids.join(','), `[${texts.join(',')}]`];
    if (binaries.length > 0) args.push(binaries);
    void this.#enter('run', args, binaries.length > 0, batch);
  }

  async #enter(op: EntryOp, args: unknown[], copyArguments: boolean, batch: PendingRun[] = []): Promise<void> {
    const entry = this.#entry;
    if (!entry) return;
    const generation = this.#generation;
    const started = Date.now();
    this.#calls.push(started);
    this.#ensureWatchdog();
    try {
      const out = await entry.apply(undefined, [op, ...args], { ...(copyArguments ? { arguments: { copy: true } } : {}), result: { copy: true }, timeout: this.#options.timeoutMs });
      if (generation !== this.#generation) return;
      this.#callDone();
      const { events, malformed } = readOutbox(out);
      if (malformed > 0) this.#host.log('warn', `The sandbox ignored ${malformed} malformed event(s) from the function's isolate`);
      this.#apply(events);
      if (batch.length > 0) this.#msPerMessage = this.#msPerMessage * 0.7 + (Math.max(Date.now() - started, 0.01) / batch.length) * 0.3;
    } catch (error) {
      if (generation !== this.#generation) return;
      this.#callDone();
      if (!isFatal(error) && (await this.#recover(entry, generation, error))) {
        this.#schedulePump();
        return;
      }
      if (generation !== this.#generation) return;
      const message = describeFailure(error, this.#options);
      this.#reset(new Set(batch.map((run) => run.runId)), message, /timed out/.test(message));
      return;
    }
    this.#schedulePump();
  }

  /** The oldest queued call finished; the next one starts on the isolate's thread now. */
  #callDone(): void {
    this.#calls.shift();
    if (this.#calls.length > 0) this.#calls[0] = Math.max(this.#calls[0]!, Date.now());
  }

  /**
   * isolated-vm fails a call whose code left a promise rejection unhandled,
   * after the code ran: the isolate is fine and its outbox intact. Report the
   * rejection as Node would, and collect the outbox with a second call.
   */
  async #recover(entry: IsolatedVM.Reference, generation: number, error: unknown): Promise<boolean> {
    this.#host.log('warn', `Unhandled promise rejection in the function: ${error instanceof Error ? error.message : String(error)}`);
    try {
      const out = await entry.apply(undefined, ['drain' satisfies EntryOp], { result: { copy: true }, timeout: this.#options.timeoutMs });
      if (generation === this.#generation) this.#apply(readOutbox(out).events);
      return true;
    } catch {
      return false;
    }
  }

  /** Act on the isolate's events, in order. */
  #apply(events: IsolateEvent[]): void {
    for (const event of events) {
      switch (event.kind) {
        case 'send':
          this.#send({ json: event.json, binaries: event.binaries });
          break;
        case 'done':
          this.#settle(event.runId, event.json === null ? { ok: true } : { ok: true, msg: { json: event.json, binaries: event.binaries } });
          break;
        case 'fail':
          this.#settle(event.runId, { ok: false, error: event.error, ...(event.json !== null ? { msg: { json: event.json, binaries: event.binaries } } : {}) });
          break;
        case 'log':
          this.#host.log(event.level, event.text);
          break;
        case 'status':
          this.#host.status(event.status);
          break;
        case 'error':
          this.#reportError(event.error, event.json === null ? null : { json: event.json, binaries: event.binaries });
          break;
        case 'timer':
          this.#startTimer(event.id, event.delayMs);
          break;
        case 'untimer':
          clearTimeout(this.#timers.get(event.id));
          this.#timers.delete(event.id);
          break;
        case 'init':
          if (!event.ok && event.error) this.#reportError({ ...event.error, message: `On Start failed: ${event.error.message}` }, null);
          break;
      }
    }
  }

  #send(outputs: EncodedValue): void {
    if (outputs.json.length > this.#limits.maxBytes) return this.#host.log('error', `node.send: the message is larger than ${this.#limits.maxBytes} bytes`);
    if (this.#host.sendEncoded) return this.#host.sendEncoded(outputs);
    try {
      this.#host.send(frameEncoded(outputs, this.#limits));
    } catch (error) {
      this.#host.log('error', `node.send: ${(error as Error).message}`);
    }
  }

  #reportError(error: { name?: string; message: string; stack?: string }, msg: EncodedValue | null): void {
    let frame: Uint8Array | null = null;
    try {
      frame = msg ? frameEncoded(msg, this.#limits) : null;
    } catch {
      // too large to pass on: reported without its message
    }
    if (this.#host.error) this.#host.error(error, frame);
    else this.#host.log('error', error.message);
  }

  #settle(runId: number, outcome: EncodedRunOutcome): void {
    const run = this.#inside.get(runId);
    if (!run) return;
    this.#inside.delete(runId);
    run.resolve(outcome);
  }

  #startTimer(id: number, delayMs: number): void {
    clearTimeout(this.#timers.get(id));
    const generation = this.#generation;
    this.#timers.set(
      id,
      setTimeout(() => {
        this.#timers.delete(id);
        if (generation !== this.#generation) return;
        this.#dueTimers.push(id);
        this.#schedulePump();
      }, delayMs),
    );
  }

  #ensureWatchdog(): void {
    // Kept referenced while work is inside: it is cleared as soon as the unit is idle.
    this.#watchdog ??= setInterval(() => this.#watch(), WATCHDOG_INTERVAL_MS);
  }

  #watch(): void {
    const now = Date.now();
    const oldest = this.#calls[0];
    if (oldest !== undefined && now - oldest > this.#options.timeoutMs + WATCHDOG_GRACE_MS) {
      const late = new Set([...this.#inside.values()].filter((run) => run.deadline <= now).map((run) => run.runId));
      return this.#reset(late, timeoutText(this.#options.timeoutMs), true);
    }
    const expired = new Set<number>();
    for (const run of this.#inside.values()) if (run.deadline <= now) expired.add(run.runId);
    if (expired.size > 0) return this.#reset(expired, timeoutText(this.#options.timeoutMs), true);
    if (this.#calls.length === 0 && this.#inside.size === 0 && this.#watchdog) {
      clearInterval(this.#watchdog);
      this.#watchdog = undefined;
    }
  }
}

function timeoutText(timeoutMs: number): string {
  return `Function timed out after ${timeoutMs} ms: it was stopped and its state reset (timers cleared, On Start run again)`;
}

function describeFailure(error: unknown, options: JavaScriptUnitOptions): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/timed out/i.test(message)) return timeoutText(options.timeoutMs);
  if (/memory limit/i.test(message)) return `Function used more than its memory limit of ${options.memoryLimitMb} MB: it was stopped and its state reset`;
  return `The function's isolate failed: ${message}`;
}

/** Errors after which the isolate cannot be used again: it ran out of time or memory, or was disposed. */
function isFatal(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /timed out|memory limit|disposed/i.test(message);
}
