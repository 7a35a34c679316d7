/**
 * The runtime's side of the sandbox: starts the sandbox process on first use,
 * creates one unit per function node in it, carries messages there and back,
 * answers its context and env requests, and restarts it when it dies: every
 * message in flight is reported as an error, the process is started again and
 * every function node re-created. Nothing here ever waits on user code: a
 * frozen sandbox is caught by the heartbeat and killed.
 */
import type { Logger } from '../../node-api/logger.js';
import { silentLogger } from '../../node-api/logger.js';
import type { FlowMessage } from '../../node-api/message.js';
import { DEFAULT_WIRE_LIMITS, decodeWire, encodeWire, type ValueCodecLimits, type WireValue } from '../wire-format.js';
import type { ChildEvent, ChildUnitSpec, HostRequest, SandboxUsage } from '../protocol.js';
import type { UserCodeCompileError } from '../child/language-engine.js';
import type { ChildConfig } from '../child/main.js';
import type { JavaScriptLimits } from '../child/javascript/javascript-unit.js';
import { planLaunch, probeNetworkIsolation, packageDir, type LaunchPlan } from './sandbox-launch.js';
import { SandboxProcess } from './sandbox-process.js';
import { PendingRuns } from './pending-runs.js';
import { answerRequest, errorFromInfo, type UnitBridge } from './unit-bridge.js';

export interface SandboxSupervisorOptions {
  logger?: Logger;
  /** Per-message time limit of a function node whose timeout is 0 (default 30 s). */
  defaultTimeoutMs?: number;
  /** Memory cap of one function node's isolate (default 128 MB). */
  defaultMemoryLimitMb?: number;
  /** Heap cap of the sandbox process's own JavaScript (default 512 MB). */
  maxHeapMb?: number;
  /** Give the sandbox its own empty network namespace where the OS allows (default true). */
  isolateNetwork?: boolean;
  limits?: Partial<JavaScriptLimits>;
  requestTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  heartbeatTimeoutMs?: number;
  startTimeoutMs?: number;
}

export type UnitRunOutcome = { ok: true; msg?: FlowMessage } | { ok: false; error: Error | string; timedOut: boolean; msg?: FlowMessage };

/** A compile error in a function node's code, with its position. */
export class SandboxCodeError extends Error {
  constructor(
    message: string,
    readonly part: UserCodeCompileError['part'],
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
    this.name = 'SandboxCodeError';
  }
}

export interface SandboxStatus {
  running: boolean;
  pid?: number;
  restarts: number;
  networkIsolated?: boolean;
  protections: string[];
  gaps: string[];
}

const DEFAULT_LIMITS: JavaScriptLimits = {
  maxValueBytes: DEFAULT_WIRE_LIMITS.maxBytes,
  maxDepth: DEFAULT_WIRE_LIMITS.maxDepth,
  maxSendsPerMessage: 10_000,
  maxLogsPerMessage: 1_000,
  maxLogChars: 8_192,
  maxTimers: 1_000,
};
const RESTART_DELAYS_MS = [0, 250, 1000, 2000, 5000];

class HostUnit {
  /** 'closing': On Stop is running; it may still use context, but no message is accepted. */
  state: 'creating' | 'ready' | 'failed' | 'closing' | 'closed' = 'creating';
  nextRunId = 1;
  readonly runs = new PendingRuns<(outcome: UnitRunOutcome) => void>();
  /** Runs waiting for the sandbox to come back after a restart. */
  waiting: Array<[number, WireValue, boolean]> = [];
  created: ((error: UserCodeCompileError | null) => void) | undefined;
  closed: (() => void) | undefined;
  constructor(
    readonly id: number,
    readonly spec: ChildUnitSpec,
    readonly bridge: UnitBridge,
  ) {}
}

/** The handle a node holds for its code in the sandbox. */
export interface SandboxUnitHandle {
  /** With `returnMessage`, a completed run also gives the message as the code left it. */
  run(msg: FlowMessage, returnMessage?: boolean): Promise<UnitRunOutcome>;
  /** run() with a callback (called once, possibly at once): the per-message path, with no promise of its own. */
  runThen(msg: FlowMessage, returnMessage: boolean, callback: (outcome: UnitRunOutcome) => void): void;
  close(): Promise<void>;
}

export class SandboxSupervisor {
  readonly #options: Required<Omit<SandboxSupervisorOptions, 'limits' | 'logger'>> & { limits: JavaScriptLimits; logger: Logger };
  readonly #codecLimits: ValueCodecLimits;
  readonly #units = new Map<number, HostUnit>();
  #process: SandboxProcess | undefined;
  #starting: Promise<SandboxProcess> | undefined;
  #plan: LaunchPlan | undefined;
  #nextUnitId = 1;
  #restarts = 0;
  #recentCrashes: number[] = [];
  #stopped = false;
  /** Between a crash and the moment every unit was created again: new messages wait. */
  #restarting = false;
  #active = 0;
  #announced = false;

  constructor(options: SandboxSupervisorOptions = {}) {
    this.#options = {
      logger: options.logger ?? silentLogger,
      defaultTimeoutMs: options.defaultTimeoutMs ?? 30_000,
      defaultMemoryLimitMb: options.defaultMemoryLimitMb ?? 128,
      maxHeapMb: options.maxHeapMb ?? 512,
      isolateNetwork: options.isolateNetwork ?? true,
      limits: { ...DEFAULT_LIMITS, ...options.limits },
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 1000,
      heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 10_000,
      startTimeoutMs: options.startTimeoutMs ?? 15_000,
    };
    this.#codecLimits = { maxBytes: this.#options.limits.maxValueBytes, maxDepth: this.#options.limits.maxDepth };
  }

  get status(): SandboxStatus {
    return {
      running: this.#process !== undefined && !this.#process.exited,
      ...(this.#process?.pid !== undefined ? { pid: this.#process.pid } : {}),
      restarts: this.#restarts,
      ...(this.#plan ? { networkIsolated: this.#plan.networkIsolated } : {}),
      protections: this.#plan?.protections ?? [],
      gaps: this.#plan?.gaps ?? [],
    };
  }

  /** Memory of the sandbox process, undefined when it is not running or does not answer. */
  async usage(): Promise<SandboxUsage | undefined> {
    const process = this.#process;
    return process && !process.exited ? process.usage() : undefined;
  }

  /** Compile a node's code in the sandbox (starting it if needed); rejects with SandboxCodeError for bad code. */
  async createUnit(spec: ChildUnitSpec, bridge: UnitBridge): Promise<SandboxUnitHandle> {
    if (this.#stopped) throw new Error('The sandbox is stopped');
    const unit = new HostUnit(this.#nextUnitId++, spec, bridge);
    this.#units.set(unit.id, unit);
    const created = new Promise<UserCodeCompileError | null>((resolve) => (unit.created = resolve));
    this.#activity(+1);
    try {
      const process = await this.#ensureProcess();
      process.post(['create', unit.id, spec]);
      const error = await created;
      if (error) {
        this.#units.delete(unit.id);
        throw new SandboxCodeError(error.message, error.part, error.line, error.column);
      }
    } catch (error) {
      this.#units.delete(unit.id);
      throw error;
    } finally {
      this.#activity(-1);
    }
    unit.state = 'ready';
    return {
      run: (msg, returnMessage = false) => new Promise((resolve) => this.#run(unit, msg, returnMessage, resolve)),
      runThen: (msg, returnMessage, callback) => this.#run(unit, msg, returnMessage, callback),
      close: () => this.#close(unit),
    };
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    const process = this.#process ?? (await this.#starting?.catch(() => undefined));
    await process?.stop();
    this.#process = undefined;
    this.#units.clear();
  }

  // ---- units ----

  #run(unit: HostUnit, msg: FlowMessage, returnMessage: boolean, callback: (outcome: UnitRunOutcome) => void): void {
    if (unit.state !== 'ready') {
      const reason = unit.state === 'failed' ? 'The function node failed to restart in the sandbox' : 'The function node is closed';
      return callback({ ok: false, error: new Error(reason), timedOut: false });
    }
    let frame: WireValue;
    try {
      frame = encodeWire(msg, this.#codecLimits);
    } catch (error) {
      return callback({ ok: false, error: new Error(`The message cannot be passed to the function: ${(error as Error).message}`), timedOut: false });
    }
    const runId = unit.nextRunId++;
    unit.runs.set(runId, callback);
    this.#activity(+1);
    const process = this.#process;
    if (process && !process.exited && !this.#restarting) process.post(['run', unit.id, runId, frame, returnMessage]);
    else unit.waiting.push([runId, frame, returnMessage]);
  }

  #settle(unit: HostUnit, runId: number, outcome: UnitRunOutcome): void {
    const resolve = unit.runs.take(runId);
    if (!resolve) return;
    this.#activity(-1);
    resolve(outcome);
  }

  async #close(unit: HostUnit): Promise<void> {
    if (unit.state === 'closed' || unit.state === 'closing') return;
    unit.state = 'closing';
    // Messages still inside are dropped, as Node-RED drops them when a node closes.
    for (const runId of unit.runs.ids()) {
      unit.runs.take(runId);
      this.#activity(-1);
    }
    unit.waiting = [];
    const process = this.#process;
    if (process && !process.exited) {
      const closed = new Promise<void>((resolve) => (unit.closed = resolve));
      this.#activity(+1);
      process.post(['close', unit.id]);
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
      this.#activity(-1);
    }
    unit.state = 'closed';
    this.#units.delete(unit.id);
  }

  /** The runtime's event loop stays alive only while the sandbox has work in flight. */
  #activity(delta: number): void {
    const before = this.#active;
    this.#active = Math.max(0, this.#active + delta);
    if ((before === 0) !== (this.#active === 0)) this.#process?.setActive(this.#active > 0);
  }

  // ---- the process ----

  #ensureProcess(): Promise<SandboxProcess> {
    if (this.#process && !this.#process.exited) return this.#process.ready.then(() => this.#process!);
    this.#starting ??= this.#start().finally(() => (this.#starting = undefined));
    return this.#starting;
  }

  async #start(): Promise<SandboxProcess> {
    const network = await probeNetworkIsolation();
    const isolatedVmPath = packageDir('isolated-vm');
    const childConfig: ChildConfig = {
      ...(isolatedVmPath ? { isolatedVmPath } : {}),
      defaultTimeoutMs: this.#options.defaultTimeoutMs,
      defaultMemoryLimitMb: this.#options.defaultMemoryLimitMb,
      limits: this.#options.limits,
      requestTimeoutMs: this.#options.requestTimeoutMs,
    };
    const plan = planLaunch({ maxHeapMb: this.#options.maxHeapMb, isolateNetwork: this.#options.isolateNetwork, childConfig }, network);
    this.#plan = plan;
    const process: SandboxProcess = new SandboxProcess({
      plan,
      logger: this.#options.logger,
      startTimeoutMs: this.#options.startTimeoutMs,
      heartbeatIntervalMs: this.#options.heartbeatIntervalMs,
      heartbeatTimeoutMs: this.#options.heartbeatTimeoutMs,
      onEvent: (event) => this.#onEvent(event),
      onExit: (reason) => this.#onExit(process, reason),
    });
    this.#process = process;
    const info = await process.ready;
    process.setActive(this.#active > 0);
    if (!this.#announced) {
      this.#announced = true;
      const line = `Sandbox process started (pid ${info.pid}): ${plan.protections.join('; ')}`;
      if (plan.gaps.length > 0) this.#options.logger.warn({ pid: info.pid, gaps: plan.gaps }, `${line}. Missing: ${plan.gaps.join('; ')}`);
      else this.#options.logger.info({ pid: info.pid }, line);
    }
    return process;
  }

  #onExit(process: SandboxProcess, reason: string): void {
    if (this.#process !== process) return;
    this.#process = undefined;
    if (this.#stopped || reason === 'stopped') return;
    this.#options.logger.error({ pid: process.pid }, `The sandbox process ${reason}; messages in flight fail and it is restarted`);
    this.#restarting = true;
    const lost = `The sandbox process ${reason.split(';')[0]} while this message was in flight; the sandbox was restarted`;
    for (const unit of [...this.#units.values()]) {
      if (unit.state === 'creating') {
        // Its own creation may have brought the process down: fail it rather than loop.
        unit.created?.({ message: `The sandbox process ${reason.split(';')[0]} while the function was being created`, part: 'func' });
        continue;
      }
      for (const runId of unit.runs.ids()) {
        if (unit.waiting.some(([id]) => id === runId)) continue;
        this.#settle(unit, runId, { ok: false, error: new Error(lost), timedOut: false });
      }
      unit.closed?.();
    }
    this.#scheduleRestart();
  }

  #scheduleRestart(): void {
    const now = Date.now();
    this.#recentCrashes = this.#recentCrashes.filter((time) => now - time < 30_000);
    this.#recentCrashes.push(now);
    const delay = RESTART_DELAYS_MS[Math.min(this.#recentCrashes.length - 1, RESTART_DELAYS_MS.length - 1)]!;
    this.#restarts++;
    this.#starting = new Promise<SandboxProcess>((resolve, reject) => {
      setTimeout(() => {
        if (this.#stopped) return reject(new Error('The sandbox is stopped'));
        this.#start().then(resolve, reject);
        // Referenced: messages may be waiting for the new process.
      }, delay);
    })
      .then((process) => {
        this.#recreate(process);
        return process;
      })
      .catch((error: unknown) => {
        this.#restarting = false;
        this.#options.logger.error({ err: error }, 'The sandbox process could not be restarted');
        for (const unit of this.#units.values()) this.#failUnit(unit, `The sandbox could not be restarted: ${(error as Error).message}`);
        throw error;
      })
      .finally(() => (this.#starting = undefined));
    this.#starting.catch(() => undefined);
  }

  /** After a restart: every live unit is created again, then its waiting messages follow. */
  #recreate(process: SandboxProcess): void {
    for (const unit of this.#units.values()) {
      if (unit.state !== 'ready') continue;
      unit.created = (error) => {
        unit.created = undefined;
        if (error) this.#failUnit(unit, `The function could not be re-created after the sandbox restarted: ${error.message}`);
      };
      process.post(['create', unit.id, unit.spec]);
      for (const [runId, frame, returnMessage] of unit.waiting) process.post(['run', unit.id, runId, frame, returnMessage]);
      unit.waiting = [];
    }
    this.#restarting = false;
  }

  #failUnit(unit: HostUnit, reason: string): void {
    unit.state = 'failed';
    unit.bridge.error(new Error(reason), undefined);
    for (const runId of unit.runs.ids()) this.#settle(unit, runId, { ok: false, error: new Error(reason), timedOut: false });
    unit.waiting = [];
  }

  // ---- events from the sandbox ----

  #onEvent(event: ChildEvent): void {
    const unit = typeof event[1] === 'number' && event[0] !== 'request' ? this.#units.get(event[1]) : undefined;
    switch (event[0]) {
      case 'created':
        unit?.created?.(event[2]);
        break;
      case 'send':
        if (unit) this.#deliver(unit, event[2]);
        break;
      case 'done':
        if (!unit) break;
        if (event[3]) this.#deliver(unit, event[3]);
        const msg = event[4] ? this.#decodeMessage(unit, event[4]) : undefined;
        this.#settle(unit, event[2], msg ? { ok: true, msg } : { ok: true });
        break;
      case 'failed': {
        if (!unit) break;
        const [, , runId, info, timedOut, frame] = event;
        const msg = frame ? this.#decodeMessage(unit, frame) : undefined;
        this.#settle(unit, runId, { ok: false, error: errorFromInfo(info), timedOut, ...(msg ? { msg } : {}) });
        break;
      }
      case 'log':
        unit?.bridge.log(event[2], String(event[3]));
        break;
      case 'status':
        unit?.bridge.status(event[2]);
        break;
      case 'error': {
        if (!unit) break;
        const msg = event[3] ? this.#decodeMessage(unit, event[3]) : undefined;
        unit.bridge.error(errorFromInfo(event[2]), msg);
        break;
      }
      case 'request':
        this.#answer(event[1], event[2], event[3]);
        break;
      case 'closed':
        unit?.closed?.();
        break;
      case 'problem':
        this.#options.logger.warn({}, `Sandbox process: ${String(event[1])}`);
        break;
    }
  }

  #deliver(unit: HostUnit, frame: WireValue): void {
    let outputs: unknown;
    try {
      outputs = decodeWire(frame, this.#codecLimits);
    } catch (error) {
      unit.bridge.error(new Error(`A message from the function could not be read: ${(error as Error).message}`), undefined);
      return;
    }
    if (Array.isArray(outputs)) unit.bridge.send(outputs);
  }

  #decodeMessage(unit: HostUnit, frame: WireValue): FlowMessage | undefined {
    try {
      const value = decodeWire(frame, this.#codecLimits);
      return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as FlowMessage) : undefined;
    } catch (error) {
      unit.bridge.log('warn', `A message from the function could not be read: ${(error as Error).message}`);
      return undefined;
    }
  }

  /** Context and env for the code, answered at once from the node's own facade. */
  #answer(requestId: number, unitId: number, request: HostRequest): void {
    const unit = this.#units.get(unitId);
    const reply = unit && unit.state !== 'closed' ? answerRequest(unit.bridge, request, this.#codecLimits) : ({ ok: false, error: 'The function node is closed' } as const);
    this.#process?.post(['reply', requestId, reply.ok, reply.ok ? reply.value : reply.error]);
  }
}
