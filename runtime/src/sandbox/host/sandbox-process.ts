/**
 * One running sandbox process, from the runtime's side: spawn, the batched
 * IPC channel, a heartbeat that catches a frozen process, and a single `exit`
 * notification however it ends. The supervisor makes a new one after a crash.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from '../../node-api/logger.js';
import type { ChannelBatch, ChildCommand, ChildEvent, SandboxReadyInfo, SandboxUsage } from '../protocol.js';
import type { LaunchPlan } from './sandbox-launch.js';

export interface SandboxProcessOptions {
  plan: LaunchPlan;
  logger: Logger;
  startTimeoutMs: number;
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
  onEvent(event: ChildEvent): void;
  onExit(reason: string): void;
}

const STDERR_LINES_KEPT = 20;

export class SandboxProcess {
  readonly #options: SandboxProcessOptions;
  readonly #child: ChildProcess;
  #outgoing: ChildCommand[] = [];
  #flushScheduled = false;
  #exited = false;
  #stopping = false;
  #heartbeat: NodeJS.Timeout | undefined;
  #lastPong = Date.now();
  #pingSequence = 0;
  #usageWaiters: Array<(usage: SandboxUsage | undefined) => void> = [];
  readonly #stderr: string[] = [];
  #info: SandboxReadyInfo | undefined;
  readonly ready: Promise<SandboxReadyInfo>;

  constructor(options: SandboxProcessOptions) {
    this.#options = options;
    const { plan } = options;
    this.#child = spawn(plan.command, plan.args, {
      env: {},
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    this.ready = new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`The sandbox process did not start within ${options.startTimeoutMs} ms${this.#stderrText()}`));
        this.kill();
      }, options.startTimeoutMs);
      this.#readyWaiter = (info, error) => {
        clearTimeout(timer);
        if (info) resolve(info);
        else reject(error ?? new Error('The sandbox process did not start'));
      };
    });
    this.ready.catch(() => undefined);
    this.#child.stderr?.setEncoding('utf8');
    this.#child.stderr?.on('data', (text: string) => this.#stderrData(text));
    this.#child.on('message', (message: unknown) => this.#receive(message));
    this.#child.on('error', (error) => this.#exit(`could not be started: ${error.message}`));
    this.#child.on('exit', (code, signal) => this.#exit(signal ? `was killed by ${signal}` : `exited with code ${code}`));
  }

  #readyWaiter: ((info: SandboxReadyInfo | undefined, error?: Error) => void) | undefined;

  get pid(): number | undefined {
    return this.#info?.pid ?? this.#child.pid;
  }

  get exited(): boolean {
    return this.#exited;
  }

  /** Queue a command; every command of this event-loop turn goes in one IPC message. */
  post(command: ChildCommand): void {
    if (this.#exited) return;
    this.#outgoing.push(command);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.#flush());
    }
  }

  #flush(): void {
    this.#flushScheduled = false;
    if (this.#exited || this.#outgoing.length === 0 || !this.#child.connected) return;
    const batch: ChannelBatch<ChildCommand> = { b: this.#outgoing };
    this.#outgoing = [];
    try {
      this.#child.send(batch);
    } catch (error) {
      this.#options.logger.warn({ err: error }, 'Sandbox channel write failed');
    }
  }

  /** Keep the runtime's event loop alive only while the sandbox has work. */
  setActive(active: boolean): void {
    if (this.#exited) return;
    const channel = this.#child.channel as { ref?(): void; unref?(): void } | undefined;
    if (active) {
      this.#child.ref();
      channel?.ref?.();
    } else {
      this.#child.unref();
      channel?.unref?.();
    }
  }

  /** Memory of the sandbox process (from its own report); undefined if it does not answer. */
  usage(timeoutMs = 2000): Promise<SandboxUsage | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs);
      this.#usageWaiters.push((usage) => {
        clearTimeout(timer);
        resolve(usage);
      });
      this.post(['ping', ++this.#pingSequence]);
    });
  }

  /** Ask the process to close its units and exit; kill it if it does not. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.#exited) return;
    this.#stopping = true;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.post(['shutdown']);
    this.setActive(true);
    const timer = setTimeout(() => this.kill(), graceMs);
    await exited;
    clearTimeout(timer);
  }

  kill(): void {
    if (!this.#exited) this.#child.kill('SIGKILL');
  }

  #receive(message: unknown): void {
    const batch = message as ChannelBatch<ChildEvent> | undefined;
    if (!batch || !Array.isArray(batch.b)) return;
    for (const event of batch.b) {
      if (!Array.isArray(event)) continue;
      if (event[0] === 'ready') {
        this.#info = event[1];
        this.#startHeartbeat();
        this.#readyWaiter?.(event[1]);
        this.#readyWaiter = undefined;
        continue;
      }
      if (event[0] === 'pong') {
        this.#lastPong = Date.now();
        for (const waiter of this.#usageWaiters.splice(0)) waiter(event[2]);
        continue;
      }
      this.#options.onEvent(event);
    }
  }

  #startHeartbeat(): void {
    const { heartbeatIntervalMs, heartbeatTimeoutMs } = this.#options;
    this.#lastPong = Date.now();
    this.#heartbeat = setInterval(() => {
      if (Date.now() - this.#lastPong > heartbeatTimeoutMs) {
        this.#options.logger.error({ pid: this.pid }, `The sandbox process did not answer for ${heartbeatTimeoutMs} ms: killing it`);
        this.kill();
        return;
      }
      this.post(['ping', ++this.#pingSequence]);
    }, heartbeatIntervalMs);
    this.#heartbeat.unref();
  }

  #stderrData(text: string): void {
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      this.#stderr.push(line);
      if (this.#stderr.length > STDERR_LINES_KEPT) this.#stderr.shift();
      this.#options.logger.debug({ pid: this.pid }, `sandbox: ${line}`);
    }
  }

  #stderrText(): string {
    return this.#stderr.length > 0 ? `; its last output: ${this.#stderr.slice(-5).join(' | ')}` : '';
  }

  #exit(reason: string): void {
    if (this.#exited) return;
    this.#exited = true;
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    for (const waiter of this.#usageWaiters.splice(0)) waiter(undefined);
    this.#readyWaiter?.(undefined, new Error(`The sandbox process ${reason}${this.#stderrText()}`));
    this.#readyWaiter = undefined;
    this.#options.onExit(this.#stopping ? 'stopped' : `${reason}${this.#stderrText()}`);
  }
}
