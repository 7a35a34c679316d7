// `loopedge supervise`: keeps LoopEdge running from DATA/releases/current.
// It starts `node <current>/<entry> start ...` as a child and
//   - forwards SIGTERM/SIGINT to it and ends when it has stopped;
//   - restarts it with back-off when it exits unexpectedly;
//   - on exit code 75 ("restart for update", after an apply passed its probe)
//     starts the (new) `current` at once and health-checks it: no ready line
//     within the deadline, or an exit before it, switches `current` back to
//     `previous`, audits the rollback and starts that release.
// With no release installed it runs this installation's own CLI.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { acquireUpdateLock, linkedRelease, switchLink } from './release-store.js';

/** Exit code of a server that stops so its supervisor starts the release just applied (EX_TEMPFAIL). */
export const RESTART_FOR_UPDATE_EXIT_CODE = 75;
/** Set in the child's environment: the server may exit with RESTART_FOR_UPDATE_EXIT_CODE after an apply. */
export const SUPERVISED_ENV = 'LOOPEDGE_SUPERVISED';

export interface RollbackAudit {
  failed: string;
  restored: string | null;
  reason: string;
}

export interface SupervisorOptions {
  dataDir: string;
  /** arguments after `start` (the supervisor adds nothing else) */
  startArgs: readonly string[];
  /** Node flags before the entry script (the engine's heap settings, bootstrap/engine-heap.ts); default none */
  nodeArgs?: readonly string[];
  /** the CLI entry script of this installation, run when no release is installed */
  fallbackEntry: string;
  env: NodeJS.ProcessEnv;
  /** how long a release started after an update has to print its ready line; default 60 s */
  healthDeadlineMs?: number;
  /** first restart delay after an unexpected exit, doubled up to maxBackoffMs; defaults 1 s and 30 s */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** a child that ran this long resets the back-off; default 60 s */
  stableAfterMs?: number;
  /** how long to wait after forwarding a signal (or a failed health check) before SIGKILL; default 40 s */
  stopGraceMs?: number;
  /** every stdout line of the child (the supervisor passes them on, ready line included) */
  onChildLine?: (line: string) => void;
  /** the supervisor's own events, one object each (written as JSON log lines by the CLI) */
  log: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
  /** records a rollback in the audit log; a throw is logged instead */
  auditRollback?: (entry: RollbackAudit) => Promise<void>;
}

interface Target {
  version: string | null;
  entry: string;
  cwd: string | undefined;
}

interface ChildRun {
  child: ChildProcess;
  version: string | null;
  startedAt: number;
  ready: boolean;
  readyPromise: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export class ReleaseSupervisor {
  readonly #options: SupervisorOptions;
  #stopping = false;
  #current: ChildRun | undefined;
  #wake: (() => void) | undefined;

  constructor(options: SupervisorOptions) {
    this.#options = options;
  }

  /** pid of the running child, for tests and logs */
  get childPid(): number | undefined {
    return this.#current?.child.pid;
  }

  /** Forwards `signal` to the child; run() then resolves once the child exited. */
  stop(signal: NodeJS.Signals = 'SIGTERM'): void {
    const first = !this.#stopping;
    this.#stopping = true;
    this.#wake?.();
    const run = this.#current;
    if (!run || run.child.exitCode !== null || run.child.signalCode !== null) return;
    run.child.kill(signal);
    if (first) {
      const timer = setTimeout(() => run.child.kill('SIGKILL'), this.#options.stopGraceMs ?? 40_000);
      timer.unref();
      void run.exited.then(() => clearTimeout(timer));
    }
  }

  /** Runs until stop(); resolves with the exit code for the supervisor itself. */
  async run(): Promise<number> {
    const opts = this.#options;
    let checkHealth = false;
    let failures = 0;
    let everReady = false;
    while (!this.#stopping) {
      const run = this.#spawn(this.#target());
      if (checkHealth) {
        checkHealth = false;
        const reason = await this.#healthOf(run);
        if (reason !== undefined) {
          await this.#kill(run);
          if (this.#stopping) break;
          await this.#rollback(run.version, reason);
          continue;
        }
        opts.log('info', 'The release started after the update is up', { version: run.version });
      }
      const exit = await run.exited;
      everReady ||= run.ready;
      if (this.#stopping) return exit.code === 0 ? 0 : 1;
      if (exit.code === RESTART_FOR_UPDATE_EXIT_CODE) {
        opts.log('info', 'Restarting for an update: starting the current release', { from: run.version, current: linkedRelease(opts.dataDir, 'current')?.version ?? null });
        checkHealth = true;
        failures = 0;
        continue;
      }
      // Exit code 2 before ever being ready: arguments, flow file or settings are wrong; restarting cannot help.
      if (exit.code === 2 && !everReady) {
        opts.log('error', 'LoopEdge refused its arguments, flow file or settings (exit code 2); not restarting. Fix them and start again.', { version: run.version });
        return 2;
      }
      if (Date.now() - run.startedAt >= (opts.stableAfterMs ?? 60_000)) failures = 0;
      const delay = Math.min((opts.backoffMs ?? 1000) * 2 ** failures, opts.maxBackoffMs ?? 30_000);
      failures++;
      opts.log('warn', 'LoopEdge exited unexpectedly; restarting', { version: run.version, code: exit.code, signal: exit.signal, restartInMs: delay });
      await this.#sleep(delay);
    }
    return 0;
  }

  #target(): Target {
    const current = linkedRelease(this.#options.dataDir, 'current');
    if (current?.manifest.entry) return { version: current.version, entry: join(current.dir, current.manifest.entry), cwd: current.dir };
    if (current) this.#options.log('warn', 'The current release names no entry script; running this installation instead', { version: current.version });
    return { version: null, entry: this.#options.fallbackEntry, cwd: undefined };
  }

  #spawn(target: Target): ChildRun {
    const { env, startArgs, nodeArgs = [], onChildLine, log } = this.#options;
    const child = spawn(process.execPath, [...nodeArgs, target.entry, 'start', ...startArgs], {
      ...(target.cwd ? { cwd: target.cwd } : {}),
      env: { ...env, [SUPERVISED_ENV]: '1', ...(target.version ? { LOOPEDGE_RELEASE: target.version } : {}) },
      stdio: ['ignore', 'pipe', 'inherit'],
      // Its own process group: Ctrl-C at a terminal reaches the supervisor only, which forwards it once
      // (a second SIGINT would make LoopEdge give up its graceful stop).
      detached: true,
    });
    log('info', 'Started LoopEdge', { version: target.version ?? 'installation', pid: child.pid, entry: target.entry, ...(nodeArgs.length > 0 ? { nodeArgs } : {}) });
    let markReady: () => void = () => {};
    const run: ChildRun = {
      child,
      version: target.version,
      startedAt: Date.now(),
      ready: false,
      readyPromise: new Promise<void>((resolve) => (markReady = resolve)),
      exited: new Promise((resolve) => {
        child.once('exit', (code, signal) => resolve({ code, signal }));
        // A spawn failure (no node binary) emits 'error' and no 'exit'.
        child.once('error', (error) => {
          log('error', 'Could not start LoopEdge', { entry: target.entry, error: error.message });
          resolve({ code: null, signal: null });
        });
      }),
    };
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      onChildLine?.(line);
      if (!run.ready && isReadyLine(line)) {
        run.ready = true;
        markReady();
      }
    });
    this.#current = run;
    return run;
  }

  /** undefined when healthy, else why not. */
  async #healthOf(run: ChildRun): Promise<string | undefined> {
    const deadlineMs = this.#options.healthDeadlineMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      run.readyPromise.then(() => undefined),
      run.exited.then((exit) => `it exited (${exit.signal ?? `code ${exit.code}`}) before it reported ready`),
      new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`it did not report ready within ${deadlineMs} ms`), deadlineMs))),
    ]);
    clearTimeout(timer);
    return outcome;
  }

  async #kill(run: ChildRun): Promise<void> {
    if (run.child.exitCode === null && run.child.signalCode === null) {
      run.child.kill('SIGTERM');
      const timer = setTimeout(() => run.child.kill('SIGKILL'), this.#options.stopGraceMs ?? 40_000);
      await run.exited;
      clearTimeout(timer);
    }
  }

  /** Switches `current` back to `previous` (or to no release, i.e. this installation) under the update lock. */
  async #rollback(failed: string | null, why: string): Promise<void> {
    const { dataDir, log } = this.#options;
    const previous = linkedRelease(dataDir, 'previous');
    const restored = previous && previous.version !== failed ? previous.version : null;
    const reason = `Release ${failed ?? 'installation'} failed its health check after the restart for the update: ${why}. Switched back to ${restored ?? 'the installed LoopEdge'}.`;
    try {
      const unlock = await acquireUpdateLock(dataDir);
      try {
        await switchLink(dataDir, 'current', restored);
      } finally {
        await unlock();
      }
    } catch (error) {
      log('error', 'Could not switch back to the previous release; starting the current one again', { failed, error: (error as Error).message });
      return;
    }
    log('error', reason, { failed, restored });
    if (!failed) return;
    try {
      await this.#options.auditRollback?.({ failed, restored, reason });
    } catch (error) {
      log('warn', 'The rollback could not be written to the audit log (it is in this log only)', { failed, restored, error: (error as Error).message });
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }
}

function isReadyLine(line: string): boolean {
  if (!line.startsWith('{')) return false;
  try {
    const parsed = JSON.parse(line) as { loopedge?: unknown; flowsStarted?: unknown };
    return parsed.loopedge === 'ready' && parsed.flowsStarted === true;
  } catch {
    return false;
  }
}
