/**
 * The Python language engine of the sandbox process: one Pyodide interpreter
 * per python-function node, each in its own worker thread (see python-unit.ts).
 *
 * Pyodide is loaded lazily by the first node's worker, which also takes a
 * memory snapshot of the fresh interpreter; every later interpreter (more
 * nodes, restarts after a timeout) starts from that snapshot in a fraction of
 * the time. The snapshot is made before any user code runs.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { LanguageEngine, UserCodeHost, UserCodeSpec, UserCodeUnit } from '../child/language-engine.js';
import type { PythonLimits } from './protocol.js';
import { PythonUnit } from './python-unit.js';

export interface PythonEngineOptions {
  /** Per-message time limit when a node's timeout is 0. Default 10 s. */
  defaultTimeoutMs?: number;
  /** How long code may ignore KeyboardInterrupt before the worker is terminated. Default 1 s. */
  interruptGraceMs?: number;
  /** Default memory cap of one interpreter when the spec gives none. Default 256 MB. */
  defaultMemoryLimitMb?: number;
  /** Limits inside the interpreter (value size, sends and log lines per message). */
  limits?: Partial<Omit<PythonLimits, 'memoryLimitBytes'>>;
}

const DEFAULT_LIMITS: Omit<PythonLimits, 'memoryLimitBytes'> = {
  maxValueBytes: 16 * 1024 * 1024,
  maxSends: 1000,
  maxLogs: 100,
  maxLogChars: 8192,
  hostCallTimeoutMs: 30_000,
};
/** Pyodide itself needs about 40 MB before any user code. */
const MIN_MEMORY_MB = 96;
const LOAD_TIMEOUT_MS = 60_000;

/** Folders the sandbox process must be allowed to read for Python (Node's --allow-fs-read). */
export function pythonEngineReadPaths(): string[] {
  const require = createRequire(import.meta.url);
  return [dirname(require.resolve('pyodide/package.json'))];
}

export class PythonEngine implements LanguageEngine {
  readonly language = 'python' as const;
  readonly #options: Required<Omit<PythonEngineOptions, 'limits'>> & { limits: Omit<PythonLimits, 'memoryLimitBytes'> };
  #snapshot: Uint8Array | undefined;
  /** Set while the first interpreter loads; later ones wait for its snapshot. */
  #snapshotPending: Promise<void> | undefined;
  #snapshotDone: (() => void) | undefined;

  constructor(options: PythonEngineOptions = {}) {
    this.#options = {
      defaultTimeoutMs: options.defaultTimeoutMs ?? 10_000,
      interruptGraceMs: options.interruptGraceMs ?? 1000,
      defaultMemoryLimitMb: options.defaultMemoryLimitMb ?? 256,
      limits: { ...DEFAULT_LIMITS, ...options.limits },
    };
  }

  async create(spec: UserCodeSpec, host: UserCodeHost): Promise<UserCodeUnit> {
    const memoryMb = Math.max(MIN_MEMORY_MB, spec.memoryLimitMb > 0 ? spec.memoryLimitMb : this.#options.defaultMemoryLimitMb);
    const unit = new PythonUnit(spec, host, {
      limits: { ...this.#options.limits, memoryLimitBytes: memoryMb * 1024 * 1024 },
      defaultTimeoutMs: this.#options.defaultTimeoutMs,
      interruptGraceMs: this.#options.interruptGraceMs,
      loadTimeoutMs: LOAD_TIMEOUT_MS,
      snapshot: () => this.#takeSnapshot(),
      onSnapshot: (snapshot) => this.#storeSnapshot(snapshot),
    });
    await unit.start();
    return unit;
  }

  async #takeSnapshot(): Promise<{ snapshot?: Uint8Array; makeSnapshot: boolean }> {
    while (!this.#snapshot && this.#snapshotPending) await this.#snapshotPending;
    if (this.#snapshot) return { snapshot: this.#snapshot, makeSnapshot: false };
    this.#snapshotPending = new Promise<void>((resolve) => (this.#snapshotDone = resolve));
    // If the loading worker dies before it posts a snapshot, let the next one try.
    const pending = this.#snapshotPending;
    setTimeout(() => {
      if (this.#snapshotPending === pending) this.#storeSnapshot(undefined);
    }, LOAD_TIMEOUT_MS).unref();
    return { makeSnapshot: true };
  }

  #storeSnapshot(snapshot: Uint8Array | undefined): void {
    if (snapshot && !this.#snapshot) {
      // Shared memory: every worker reads the same bytes, none copies 30 MB.
      const shared = new Uint8Array(new SharedArrayBuffer(snapshot.byteLength));
      shared.set(snapshot);
      this.#snapshot = shared;
    }
    this.#snapshotPending = undefined;
    this.#snapshotDone?.();
    this.#snapshotDone = undefined;
  }
}
