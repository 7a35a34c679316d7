/**
 * One python-function node's code, live in the sandbox process: queues
 * messages to its worker in batches, enforces the time limit (KeyboardInterrupt
 * first, then a terminated worker and a fresh interpreter), and replaces the
 * worker when the interpreter dies. Implements the engine contract's UserCodeUnit.
 */
import type { RunOutcome, UserCodeHost, UserCodeSpec, UserCodeUnit } from '../child/language-engine.js';
import { PythonWorkerHandle, type WorkerStartData } from './python-worker-handle.js';
import type { HostCall, HostReply, PythonLimits, WorkerErrorDetail, WorkerEvent, WorkerToMain } from './protocol.js';
import { encodeWireValue } from './value-codec.js';

export interface PythonUnitOptions {
  limits: PythonLimits;
  /** Used when the spec's timeout is 0. */
  defaultTimeoutMs: number;
  /** How long the code may ignore KeyboardInterrupt before its worker is terminated. */
  interruptGraceMs: number;
  /** Longest a fresh interpreter may take to load. */
  loadTimeoutMs: number;
  /** The memory snapshot to start from (and whether to make one). */
  snapshot(): Promise<{ snapshot?: Uint8Array; makeSnapshot: boolean }>;
  onSnapshot(snapshot: Uint8Array | undefined): void;
}

/** Messages handed to the worker at once; more wait in the unit. */
const MAX_IN_WORKER = 256;

interface PendingRun {
  seq: number;
  msg: Uint8Array;
  resolve(outcome: RunOutcome): void;
}

type StartResult = { ok: true } | { ok: false; error: WorkerErrorDetail };

export class PythonUnit implements UserCodeUnit {
  readonly #timeoutMs: number;
  readonly #waiting: PendingRun[] = [];
  readonly #inWorker = new Map<number, PendingRun>();
  #worker: PythonWorkerHandle | undefined;
  #ready = false;
  #closed = false;
  #nextSeq = 1;
  #watchdog: NodeJS.Timeout | undefined;
  #watchedSeq = 0;
  #watchedSince = 0;
  #interruptedAt = 0;
  #startSettle: ((result: StartResult) => void) | undefined;
  #closeSettle: (() => void) | undefined;
  #flushScheduled = false;
  /** This unit's worker was asked to make the engine's snapshot and has not delivered it yet. */
  #makingSnapshot = false;

  constructor(
    readonly spec: UserCodeSpec,
    readonly host: UserCodeHost,
    readonly options: PythonUnitOptions,
  ) {
    this.#timeoutMs = spec.timeoutMs > 0 ? spec.timeoutMs : options.defaultTimeoutMs;
  }

  /** Load an interpreter, compile, run On Start. Rejects with a UserCodeCompileError-shaped error. */
  async start(): Promise<void> {
    const result = await this.#startWorker();
    if (!result.ok) {
      await this.#stopWorker();
      this.#closed = true;
      const part = result.error.part ?? 'initialize';
      // Named as the JavaScript engine names them (Node-RED's tabs: body, setup, cleanup).
      const where = part === 'func' ? 'body' : part === 'initialize' ? 'setup' : 'cleanup';
      const position = result.error.line !== undefined ? ` (${where}: line ${result.error.line}, column ${result.error.column ?? 1})` : '';
      throw Object.assign(new Error(result.error.message + position), {
        part,
        ...(result.error.line !== undefined ? { line: result.error.line } : {}),
        ...(result.error.column !== undefined ? { column: result.error.column } : {}),
      });
    }
  }

  run(msg: Uint8Array): Promise<RunOutcome> {
    if (this.#closed) return Promise.resolve(failure('the python-function node is closed'));
    return new Promise((resolve) => {
      this.#waiting.push({ seq: this.#nextSeq++, msg, resolve });
      this.#scheduleFlush();
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const worker = this.#worker;
    if (worker && this.#ready && !worker.ended) {
      const closed = new Promise<void>((resolve) => (this.#closeSettle = resolve));
      worker.post({ type: 'close' });
      const limit = setTimeout(() => this.#closeSettle?.(), this.#timeoutMs + this.options.interruptGraceMs);
      await closed;
      clearTimeout(limit);
    }
    await this.#stopWorker();
    for (const run of [...this.#inWorker.values(), ...this.#waiting.splice(0)]) run.resolve(failure('the python-function node was closed before this message finished'));
    this.#inWorker.clear();
  }

  #startWorker(): Promise<StartResult> {
    this.#ready = false;
    return new Promise<StartResult>((settle) => {
      this.#startSettle = settle;
      void this.options.snapshot().then(({ snapshot, makeSnapshot }) => {
        this.#makingSnapshot = makeSnapshot;
        if (this.#closed) {
          this.#settleStart({ ok: false, error: { message: 'the python-function node was closed while it started' } });
          return;
        }
        const data: WorkerStartData = {
          ...(snapshot ? { snapshot } : {}),
          makeSnapshot,
          nodeId: this.spec.nodeId,
          name: this.spec.name,
          func: this.spec.func,
          initialize: this.spec.initialize,
          finalize: this.spec.finalize,
          outputs: this.spec.outputs,
          env: this.spec.env,
          limits: this.options.limits,
        };
        const worker = new PythonWorkerHandle(data, {
          message: (message) => this.#onMessage(worker, message),
          hostCall: (call) => this.#hostCall(call),
          exit: (reason) => this.#onWorkerLost(worker, reason),
        });
        this.#worker = worker;
        this.#watch(this.options.loadTimeoutMs + this.#timeoutMs);
      });
    });
  }

  #settleStart(result: StartResult): void {
    this.#snapshotGivenUp();
    const settle = this.#startSettle;
    this.#startSettle = undefined;
    settle?.(result);
  }

  #onMessage(worker: PythonWorkerHandle, message: WorkerToMain): void {
    if (worker !== this.#worker) return;
    switch (message.type) {
      case 'snapshot':
        this.#makingSnapshot = false;
        this.options.onSnapshot(message.snapshot);
        return;
      case 'ready':
        this.#ready = true;
        this.#unwatch();
        this.#settleStart({ ok: true });
        this.#scheduleFlush();
        return;
      case 'compile-error':
        this.#settleStart({ ok: false, error: message.error });
        return;
      case 'events':
        for (const event of message.events) this.#onEvent(event);
        if (this.#inWorker.size === 0) this.#unwatch();
        this.#scheduleFlush();
        return;
      case 'fatal':
        void this.#replaceWorker(message.message, false, message.seq);
        return;
      case 'closed':
        this.#closeSettle?.();
        return;
      case 'host-call':
        return;
    }
  }

  /** Other units wait for this worker's snapshot: tell them when none will come. */
  #snapshotGivenUp(): void {
    if (!this.#makingSnapshot) return;
    this.#makingSnapshot = false;
    this.options.onSnapshot(undefined);
  }

  #onEvent(event: WorkerEvent): void {
    switch (event.kind) {
      case 'send':
        this.host.send(event.outputs);
        return;
      case 'result': {
        const run = this.#inWorker.get(event.seq);
        if (!run) return;
        this.#inWorker.delete(event.seq);
        if (event.error) run.resolve(this.#errorOutcome(event.error, event.msg));
        else run.resolve({ ok: true, result: event.outputs ?? null });
        return;
      }
      case 'log':
        this.host.log(event.level, event.text);
        return;
      case 'error':
        if (this.host.error) this.host.error({ name: event.name, message: event.message }, event.msg ?? null);
        else this.host.log('error', event.message);
        return;
      case 'status':
        this.host.status(event.status);
        return;
      case 'initialize-failed':
      case 'finalize-failed': {
        const part = event.kind === 'initialize-failed' ? 'On Start' : 'On Stop';
        const text = event.error.timedOut ? `${part} timed out after ${this.#timeoutMs} ms` : `${part} failed: ${event.error.message}`;
        this.host.log('error', event.error.line !== undefined ? `${text} (line ${event.error.line})` : text);
        return;
      }
      default:
        return;
    }
  }

  #errorOutcome(error: WorkerErrorDetail, msg: Uint8Array | undefined): RunOutcome {
    const withMsg = msg ? { msg } : {};
    if (error.timedOut) {
      const message = `python-function timed out after ${this.#timeoutMs} ms (KeyboardInterrupt raised)`;
      return { ok: false, timedOut: true, error: { name: 'TimeoutError', message, ...lineOf(error) }, ...withMsg };
    }
    const name = error.name ? { name: error.name } : {};
    return { ok: false, error: { message: error.message, ...name, ...(error.stack ? { stack: error.stack } : {}), ...lineOf(error) }, ...withMsg };
  }

  async #hostCall(call: HostCall): Promise<HostReply> {
    switch (call.op) {
      case 'context-get':
        return { ok: true, value: await this.host.contextGet(call.scope, call.keys, call.store) };
      case 'context-set':
        await this.host.contextSet(call.scope, call.keys, call.values, call.store);
        return { ok: true };
      case 'context-keys':
        return { ok: true, value: encodeWireValue(await this.host.contextKeys(call.scope, call.store)) };
      case 'env-get':
        // Typed and dynamic names when the runtime can answer; else the values resolved at create.
        if (this.host.envGet) return { ok: true, value: await this.host.envGet(call.name) };
        return { ok: true, value: encodeWireValue(this.spec.env[call.name] ?? null) };
    }
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(() => {
      this.#flushScheduled = false;
      this.#flush();
    });
  }

  /** Hand waiting messages to the worker, one batch per post. */
  #flush(): void {
    const worker = this.#worker;
    if (!worker || !this.#ready || worker.ended || this.#waiting.length === 0) return;
    const room = MAX_IN_WORKER - this.#inWorker.size;
    if (room <= 0) return;
    const batch = this.#waiting.splice(0, room);
    for (const run of batch) this.#inWorker.set(run.seq, run);
    worker.post({ type: 'run', items: batch.map((run) => ({ seq: run.seq, msg: run.msg })) });
    this.#watch(this.#timeoutMs);
  }

  /** Watch the running message (or the start) and stop it when it overruns. */
  #watch(limitMs: number): void {
    if (this.#watchdog) return;
    const tick = Math.min(250, Math.max(10, Math.floor(this.#timeoutMs / 10)));
    this.#watchedSeq = Number.NaN;
    this.#watchdog = setInterval(() => this.#checkTime(limitMs), tick);
  }

  #unwatch(): void {
    if (this.#watchdog) clearInterval(this.#watchdog);
    this.#watchdog = undefined;
  }

  #checkTime(startLimitMs: number): void {
    const worker = this.#worker;
    if (!worker || worker.ended) return;
    const seq = this.#ready ? worker.runningSeq : -1;
    const now = Date.now();
    if (seq !== this.#watchedSeq) {
      this.#watchedSeq = seq;
      this.#watchedSince = now;
      this.#interruptedAt = 0;
      return;
    }
    if (seq === 0) return;
    const limit = this.#ready ? this.#timeoutMs : startLimitMs;
    if (this.#interruptedAt === 0 && now - this.#watchedSince > limit) {
      this.#interruptedAt = now;
      worker.interrupt();
    } else if (this.#interruptedAt !== 0 && now - this.#interruptedAt > this.options.interruptGraceMs) {
      void this.#replaceWorker(`python-function timed out after ${this.#timeoutMs} ms and ignored KeyboardInterrupt; its interpreter was restarted`, true);
    }
  }

  #onWorkerLost(worker: PythonWorkerHandle, reason: string): void {
    if (worker !== this.#worker || this.#closed) return;
    void this.#replaceWorker(reason, false);
  }

  /**
   * The interpreter is gone or stuck: fail the message it was running, fail
   * those it ran whose results were lost, and start a fresh interpreter for
   * the ones it never started.
   */
  async #replaceWorker(reason: string, timedOut: boolean, seqAtFailure?: number): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    const runningSeq = seqAtFailure ?? (this.#ready ? worker.runningSeq : 0);
    this.#worker = undefined;
    this.#ready = false;
    this.#unwatch();
    this.#snapshotGivenUp();
    await worker.terminate();
    if (this.#startSettle) {
      this.#settleStart({ ok: false, error: { message: timedOut ? `On Start did not finish within ${this.#timeoutMs} ms` : reason } });
      return;
    }
    const notStarted: PendingRun[] = [];
    for (const run of [...this.#inWorker.values()].sort((a, b) => a.seq - b.seq)) {
      if (run.seq === runningSeq) run.resolve({ ok: false, timedOut, error: { message: reason } });
      else if (runningSeq !== 0 && run.seq < runningSeq) run.resolve(failure(`the result was lost when the Python interpreter was restarted (${reason})`));
      else notStarted.push(run);
    }
    this.#inWorker.clear();
    this.#waiting.unshift(...notStarted);
    if (this.#closed) return;
    this.host.log('warn', `${reason}; starting a fresh interpreter`);
    const result = await this.#startWorker();
    if (!result.ok) {
      for (const run of this.#waiting.splice(0)) run.resolve(failure(`the Python interpreter could not be restarted: ${result.error.message}`));
    }
  }

  async #stopWorker(): Promise<void> {
    this.#unwatch();
    this.#settleStart({ ok: false, error: { message: 'the python-function node was closed while it started' } });
    const worker = this.#worker;
    this.#worker = undefined;
    this.#ready = false;
    await worker?.terminate();
  }
}

function failure(message: string): RunOutcome {
  return { ok: false, error: { message } };
}

function lineOf(error: WorkerErrorDetail): { line?: number; column?: number } {
  return { ...(error.line !== undefined ? { line: error.line } : {}), ...(error.column !== undefined ? { column: error.column } : {}) };
}

