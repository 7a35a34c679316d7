// Starting a release and deciding whether it is healthy. A release's entry
// script is started as a child process; it is healthy when, before the
// deadline, it prints a ready line on stdout saying its flows started, and its
// admin API then answers GET /api/health with 200. A release that exits, never
// says ready, reports flows that failed, or whose API does not answer is not.
//
//   ready line (one JSON line on stdout): {"loopedge":"ready","url":"http://127.0.0.1:PORT","flowsStarted":true}
import { spawn, type ChildProcess } from 'node:child_process';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { InstalledRelease } from './release-store.js';

/** Set (to '1') in the environment of a release started as a health-check probe. */
export const UPDATE_PROBE_ENV = 'LOOPEDGE_UPDATE_PROBE';

export interface HealthReport {
  ok: boolean;
  /** why not, in a sentence */
  reason?: string;
}

export interface RunningRelease {
  readonly version: string;
  readonly pid: number | undefined;
  /** Resolves when the process has exited. */
  stop(): Promise<void>;
}

export interface ReleaseRunner {
  /** Starts the release and waits (at most deadlineMs) for it to prove healthy. The caller stops it when not. */
  start(release: InstalledRelease, deadlineMs: number): Promise<{ running: RunningRelease; health: HealthReport }>;
}

export interface ProcessRunnerOptions {
  dataDir: string;
  /** extra environment for the release (the parent's environment is not passed on) */
  env?: Record<string, string>;
  /** path of the health route; default /api/health */
  healthPath?: string;
  /** how long stop() waits after SIGTERM before SIGKILL; default 5 s */
  stopGraceMs?: number;
}

interface ReadyLine {
  loopedge?: unknown;
  url?: unknown;
  flowsStarted?: unknown;
  reason?: unknown;
}

export function processReleaseRunner(options: ProcessRunnerOptions): ReleaseRunner {
  return {
    async start(release, deadlineMs) {
      const entry = release.manifest.entry;
      if (!entry) {
        return { running: stoppedRelease(release.version), health: { ok: false, reason: `Release ${release.version} names no entry script in its manifest, so it cannot be started.` } };
      }
      // `start`: a real release's entry is the loopedge CLI. LOOPEDGE_UPDATE_PROBE: the probe must not run update
      // recovery (the apply that started it holds the lock, and its unconfirmed journal is not a crash to undo).
      const child = spawn(process.execPath, [join(release.dir, entry), 'start'], {
        cwd: release.dir,
        env: { PATH: process.env.PATH ?? '', LOOPEDGE_DATA: options.dataDir, LOOPEDGE_RELEASE: release.version, LOOPEDGE_PORT: '0', [UPDATE_PROBE_ENV]: '1', ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const running = childRelease(release.version, child, options.stopGraceMs ?? 5000);
      const health = await waitHealthy(child, deadlineMs, options.healthPath ?? '/api/health');
      return { running, health };
    },
  };
}

function stoppedRelease(version: string): RunningRelease {
  return { version, pid: undefined, stop: async () => {} };
}

function childRelease(version: string, child: ChildProcess, graceMs: number): RunningRelease {
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    version,
    pid: child.pid,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

function waitHealthy(child: ChildProcess, deadlineMs: number, healthPath: string): Promise<HealthReport> {
  return new Promise((resolve) => {
    let settled = false;
    let stderrTail = '';
    const finish = (report: HealthReport): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      lines.close();
      resolve(report);
    };
    const timer = setTimeout(() => finish({ ok: false, reason: `It did not report ready within ${deadlineMs} ms.` }), deadlineMs);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderrTail = (stderrTail + chunk.toString('utf8')).slice(-400);
    });
    child.once('error', (error) => finish({ ok: false, reason: `It could not be started: ${error.message}.` }));
    child.once('exit', (code, signal) => finish({ ok: false, reason: `It exited (${signal ?? `code ${code}`}) before it was healthy.${stderrTail ? ` Last output: ${stderrTail.trim()}` : ''}` }));
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      let ready: ReadyLine;
      try {
        ready = JSON.parse(line) as ReadyLine;
      } catch {
        return;
      }
      if (ready.loopedge !== 'ready') return;
      if (ready.flowsStarted !== true) {
        finish({ ok: false, reason: `Its flows did not start${typeof ready.reason === 'string' ? `: ${ready.reason}` : '.'}` });
        return;
      }
      if (typeof ready.url !== 'string') {
        finish({ ok: false, reason: 'Its ready line has no API url.' });
        return;
      }
      probeApi(`${ready.url.replace(/\/$/, '')}${healthPath}`).then(finish, (error: Error) => finish({ ok: false, reason: `Its API did not answer: ${error.message}.` }));
    });
    // Keep reading stdout after the check, so a chatty release never blocks on a full pipe.
    child.stdout?.resume();
  });
}

function probeApi(url: string): Promise<HealthReport> {
  return new Promise((resolve, reject) => {
    const get = url.startsWith('https:') ? httpsGet : httpGet;
    // The probe talks to this device's own release on loopback, which has its own (device CA) certificate.
    const request = get(url, { timeout: 5000, rejectUnauthorized: false }, (response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      resolve(status === 200 ? { ok: true } : { ok: false, reason: `Its API answered ${status} at ${url}.` });
    });
    request.on('timeout', () => request.destroy(new Error(`no answer from ${url} within 5 s`)));
    request.on('error', reject);
  });
}
