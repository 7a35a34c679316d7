/**
 * Messages between a PythonUnit (the sandbox process's main thread) and its
 * worker thread. Values cross already encoded with the sandbox wire format
 * (the worker encodes and decodes), so the main thread only forwards bytes.
 */
import type { MessagePort } from 'node:worker_threads';

/** Shared control words (Int32Array over a SharedArrayBuffer). */
export const CONTROL = {
  /** Pyodide's interrupt buffer: 2 (SIGINT) raises KeyboardInterrupt in Python. */
  interrupt: 0,
  /** Set to 1 by the main thread when a host-call reply is on the reply port. */
  hostReply: 1,
  /** Sequence number of the message Python is running now, 0 when idle. */
  runningSeq: 2,
  /** Number of control words. */
  length: 4,
} as const;

/** Limits applied inside the interpreter. */
export interface PythonLimits {
  maxValueBytes: number;
  maxSends: number;
  maxLogs: number;
  maxLogChars: number;
  /** Cap on the interpreter's WebAssembly memory. */
  memoryLimitBytes: number;
  /** How long the worker waits for a context answer before failing the call. */
  hostCallTimeoutMs: number;
}

export interface PythonWorkerData {
  control: SharedArrayBuffer;
  /** Port the main thread answers host calls on; read synchronously with receiveMessageOnPort. */
  replyPort: MessagePort;
  /** A memory snapshot of a freshly started interpreter (fast start), if one exists yet. */
  snapshot?: Uint8Array;
  /** Make a snapshot after loading and post it back (the first worker). */
  makeSnapshot: boolean;
  nodeId: string;
  name: string;
  func: string;
  initialize: string;
  finalize: string;
  outputs: number;
  env: Record<string, string>;
  limits: PythonLimits;
}

export interface WorkerErrorDetail {
  message: string;
  /** The Python exception's class, e.g. ZeroDivisionError. */
  name?: string;
  stack?: string;
  line?: number;
  column?: number;
  part?: 'func' | 'initialize' | 'finalize';
  timedOut?: boolean;
}

/** One event from the interpreter, in the order it happened. */
export type WorkerEvent =
  | { kind: 'send'; seq: number; outputs: Uint8Array }
  | { kind: 'result'; seq: number; outputs?: Uint8Array; error?: WorkerErrorDetail; /** the message as the code left it when it failed */ msg?: Uint8Array }
  | { kind: 'error'; name: string; message: string; msg?: Uint8Array }
  | { kind: 'log'; level: 'info' | 'warn' | 'error' | 'debug' | 'trace'; text: string }
  | { kind: 'status'; status: { fill?: string; shape?: string; text?: string } }
  | { kind: 'initialize-done' | 'finalize-done' }
  | { kind: 'initialize-failed' | 'finalize-failed'; error: WorkerErrorDetail };

export type ContextScopeName = 'node' | 'flow' | 'global';

export type HostCall =
  | { op: 'context-get'; scope: ContextScopeName; keys: string[]; store?: string }
  | { op: 'context-set'; scope: ContextScopeName; keys: string[]; store?: string; values: Uint8Array }
  | { op: 'context-keys'; scope: ContextScopeName; store?: string }
  | { op: 'env-get'; name: string };

export type HostReply = { ok: true; value?: Uint8Array } | { ok: false; error: string };

export type WorkerToMain =
  | { type: 'snapshot'; snapshot: Uint8Array }
  | { type: 'ready' }
  | { type: 'compile-error'; error: WorkerErrorDetail }
  | { type: 'events'; events: WorkerEvent[] }
  | { type: 'host-call'; call: HostCall }
  /** The interpreter cannot go on (Pyodide fatal error); the unit replaces the worker. */
  | { type: 'fatal'; message: string; /** the message it was running, 0 if none */ seq: number }
  | { type: 'closed' };

export type MainToWorker =
  | { type: 'run'; items: Array<{ seq: number; msg: Uint8Array }> }
  | { type: 'close' };
