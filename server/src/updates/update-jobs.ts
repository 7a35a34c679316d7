// Updates through the admin API: an upload is streamed to DATA/updates/incoming
// (never held in memory), then applied in the background by the UpdateService;
// clients follow the job by id (GET) or live (socket.io `update-progress`).
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';
import type { Logger } from '@loopedge/runtime';
import type { AuditApi, TrustedKeysApi } from '@loopedge/security';
import { processReleaseRunner, UPDATE_PROBE_ENV, type ReleaseRunner } from './release-runner.js';
import { UpdateError, type UpdateErrorCode } from './update-error.js';
import { UpdateService, type ApplyResult, type DeviceIdentity, type UpdateProgress } from './update-service.js';
import type { RecoveryOutcome } from './release-store.js';
import { readDeviceIdentity } from './device-identity.js';

export const DEFAULT_UPLOAD_LIMIT = 2 * 1024 ** 3;
const KEEP_JOBS = 20;

export type UpdateJobState = 'receiving' | 'applying' | 'applied' | 'rolled-back' | 'refused';

export interface UpdateJob {
  id: string;
  state: UpdateJobState;
  actor: string;
  /** ISO 8601 */
  startedAt: string;
  finishedAt?: string;
  progress: UpdateProgress;
  result?: ApplyResult;
  /** with 'refused' and 'rolled-back' */
  error?: { code: UpdateErrorCode | 'internal'; message: string };
}

/** What a client sees live: the job as it is now. */
export type UpdateProgressEvent = UpdateJob;

export interface UpdateJobsOptions {
  dataDir: string;
  audit: AuditApi;
  trustedKeys: TrustedKeysApi;
  logger: Logger;
  device?: DeviceIdentity;
  runner?: ReleaseRunner;
  healthDeadlineMs?: number;
  uploadLimit?: number;
  /** called on every change of a job (progress, result) */
  onChange?: (job: UpdateProgressEvent) => void;
}

export class UpdateJobs {
  readonly service: UpdateService;
  readonly uploadLimit: number;
  readonly #jobs = new Map<string, UpdateJob>();
  readonly #running = new Set<Promise<void>>();
  readonly #options: UpdateJobsOptions;
  readonly #appliedListeners = new Set<(job: UpdateJob) => void>();

  constructor(options: UpdateJobsOptions) {
    this.#options = options;
    this.uploadLimit = options.uploadLimit ?? DEFAULT_UPLOAD_LIMIT;
    this.service = new UpdateService({
      dataDir: options.dataDir,
      audit: options.audit,
      trustedKeys: options.trustedKeys,
      device: options.device ?? (() => readDeviceIdentity(options.dataDir)),
      runner: options.runner ?? processReleaseRunner({ dataDir: options.dataDir }),
      ...(options.healthDeadlineMs ? { healthDeadlineMs: options.healthDeadlineMs } : {}),
      // This server is the running release: the probe proves the new one healthy, the service manager restarts into it.
      stopAfterHealthCheck: true,
    });
  }

  /**
   * Called once a job's release is applied (it passed its probe and is `current`),
   * after its final progress event: the running server then restarts into it. Returns the unsubscribe function.
   */
  onApplied(listener: (job: UpdateJob) => void): () => void {
    this.#appliedListeners.add(listener);
    return () => this.#appliedListeners.delete(listener);
  }

  get dataDir(): string {
    return this.#options.dataDir;
  }

  list(): UpdateJob[] {
    return [...this.#jobs.values()].reverse();
  }

  get(id: string): UpdateJob | undefined {
    return this.#jobs.get(id);
  }

  /**
   * Streams an upload to disk and starts applying it; resolves with the job once
   * the file is complete (the apply goes on in the background). A second upload
   * while one is applying is refused before its body is read.
   */
  async receive(body: Readable, caller: { actor: string; sourceIp?: string }, declaredBytes?: number): Promise<UpdateJob> {
    const incoming = join(this.#options.dataDir, 'updates', 'incoming');
    try {
      await this.#checkUpload(incoming, declaredBytes);
    } catch (error) {
      const code = error instanceof UpdateError ? error.code : 'internal';
      this.#options.audit.append({ actor: caller.actor, action: 'update.upload', target: 'package', outcome: 'failure', ...(caller.sourceIp ? { sourceIp: caller.sourceIp } : {}), details: { code, reason: (error as Error).message } });
      throw error;
    }
    const id = randomBytes(8).toString('hex');
    const job: UpdateJob = { id, state: 'receiving', actor: caller.actor, startedAt: new Date().toISOString(), progress: { phase: 'verifying', bytesDone: 0 } };
    this.#remember(job);
    const path = join(incoming, `${id}.upd`);
    let received = 0;
    const limit = this.uploadLimit;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        received += chunk.length;
        if (received > limit) callback(new UpdateError('package-too-large', `The upload is larger than the ${limit} bytes this device accepts.`));
        else callback(null, chunk);
      },
    });
    try {
      await pipeline(body, counter, createWriteStream(path, { mode: 0o600 }));
    } catch (error) {
      await rm(path, { force: true });
      const refused = error instanceof UpdateError ? error : new UpdateError('package-truncated', `The upload broke off after ${received} bytes: ${(error as Error).message}. Send it again.`);
      this.#finish(job, 'refused', undefined, refused);
      this.#options.audit.append({ actor: caller.actor, action: 'update.upload', target: id, outcome: 'failure', ...(caller.sourceIp ? { sourceIp: caller.sourceIp } : {}), details: { code: refused.code, reason: refused.message } });
      throw refused;
    }
    this.#options.audit.append({ actor: caller.actor, action: 'update.upload', target: id, outcome: 'success', ...(caller.sourceIp ? { sourceIp: caller.sourceIp } : {}), details: { bytes: received } });
    job.state = 'applying';
    this.#changed(job);
    const applying = this.#apply(job, path, caller).finally(() => this.#running.delete(applying));
    this.#running.add(applying);
    return job;
  }

  /** On start: finish or undo an interrupted apply, and drop uploads a restart cut off. */
  async recover(): Promise<RecoveryOutcome> {
    // A health-check probe runs beside the apply that started it: recovering would undo that very apply.
    if (process.env[UPDATE_PROBE_ENV] === '1') return { action: 'none', current: undefined, removedStaging: 0 };
    await rm(join(this.#options.dataDir, 'updates', 'incoming'), { recursive: true, force: true });
    return this.service.recover();
  }

  /** Waits for background applies (shutdown, tests). */
  async idle(): Promise<void> {
    await Promise.all([...this.#running]);
  }

  async close(): Promise<void> {
    await this.idle();
    await this.service.stop();
  }

  async #checkUpload(incoming: string, declaredBytes: number | undefined): Promise<void> {
    if (this.list().some((job) => job.state === 'receiving' || job.state === 'applying')) {
      throw new UpdateError('update-in-progress', 'Another update is being received or applied; wait for its result (GET /api/updates).');
    }
    if (declaredBytes !== undefined && declaredBytes > this.uploadLimit) {
      throw new UpdateError('package-too-large', `The upload (${declaredBytes} bytes) is larger than the ${this.uploadLimit} bytes this device accepts.`);
    }
    // The upload lands on disk before it is checked: refuse one that would not fit (the package and its unpacked copy).
    await mkdir(incoming, { recursive: true, mode: 0o700 });
    if (declaredBytes !== undefined) {
      const stats = await statfs(incoming);
      const free = Number(stats.bavail) * Number(stats.bsize);
      if (declaredBytes * 2 > free) {
        throw new UpdateError('insufficient-disk-space', `The upload (${declaredBytes} bytes) and its unpacked release would not fit in the ${free} bytes free; free some space first.`);
      }
    }
  }

  async #apply(job: UpdateJob, path: string, caller: { actor: string; sourceIp?: string }): Promise<void> {
    try {
      const result = await this.service.apply(path, {
        ...caller,
        onProgress: (progress) => {
          // Staging reports every chunk; clients need about a hundred steps, not thousands.
          const step = (progress.bytesTotal ?? 0) / 100;
          const previous = job.progress;
          if (progress.phase === previous.phase && progress.bytesDone !== undefined && previous.bytesDone !== undefined && progress.bytesDone - previous.bytesDone < step && progress.bytesDone !== progress.bytesTotal) return;
          job.progress = progress;
          this.#changed(job);
        },
      });
      this.#finish(job, result.outcome, result, result.code ? new UpdateError(result.code, result.reason ?? '') : undefined);
      if (result.outcome === 'applied') {
        for (const listener of this.#appliedListeners) {
          try {
            listener(structuredClone(job));
          } catch (error) {
            this.#options.logger.error({ err: error, job: job.id }, 'A listener for applied updates failed');
          }
        }
      }
    } catch (error) {
      if (!(error instanceof UpdateError)) this.#options.logger.error({ err: error, job: job.id }, 'Applying an update failed unexpectedly');
      this.#finish(job, 'refused', undefined, error instanceof UpdateError ? error : undefined, error);
    } finally {
      await rm(path, { force: true });
    }
  }

  #finish(job: UpdateJob, state: UpdateJobState, result: ApplyResult | undefined, error: UpdateError | undefined, unexpected?: unknown): void {
    job.state = state;
    job.finishedAt = new Date().toISOString();
    if (result) job.result = result;
    if (error) job.error = { code: error.code, message: error.message };
    else if (unexpected !== undefined) job.error = { code: 'internal', message: 'The update failed inside the server; the details are in the server log.' };
    this.#changed(job);
  }

  #remember(job: UpdateJob): void {
    this.#jobs.set(job.id, job);
    for (const id of this.#jobs.keys()) {
      if (this.#jobs.size <= KEEP_JOBS) break;
      this.#jobs.delete(id);
    }
    this.#changed(job);
  }

  #changed(job: UpdateJob): void {
    this.#options.onChange?.(structuredClone(job));
  }
}
