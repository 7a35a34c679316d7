/**
 * The contract between the sandbox process and a language engine (JavaScript on
 * isolated-vm, Python on Pyodide). Everything crossing it is plain data: the
 * engine never receives a host object, and never hands one back.
 *
 * Values are encoded with `encodeValue`/`decodeValue` (sandbox/wire-format.ts):
 * JSON-like data plus exact bytes for Buffers/typed arrays, with size caps.
 */

import type { EncodedValue } from '../value-codec.js';

export type { EncodedValue } from '../value-codec.js';

/** The user's code for one function node. */
export interface UserCodeSpec {
  nodeId: string;
  /** The node's name, for stack traces and logs. */
  name: string;
  /** Body of the function (Node-RED `func`). */
  func: string;
  /** On Start (Node-RED `initialize`), may be empty. */
  initialize: string;
  /** On Stop (Node-RED `finalize`), may be empty. */
  finalize: string;
  outputs: number;
  /** Per-message time limit, covering async work; 0 = the runtime's default. */
  timeoutMs: number;
  memoryLimitMb: number;
  /** Environment variables the node may read (`env.get`): already resolved, plain strings. */
  env: Record<string, string>;
}

/** A compile error, reported at deploy with a position in the user's code. */
export interface UserCodeCompileError {
  message: string;
  /** Which part: func, initialize or finalize. */
  part: 'func' | 'initialize' | 'finalize';
  line?: number;
  column?: number;
}

/** Calls from user code back to the runtime. Each returns data only. */
export interface UserCodeHost {
  /** node.send / a returned value: one entry per output, each null, a message or an array of messages (encoded). */
  send(outputs: Uint8Array): void;
  log(level: 'info' | 'warn' | 'error' | 'debug' | 'trace', text: string): void;
  status(status: { fill?: string; shape?: string; text?: string }): void;
  /** Context access; synchronous from the user's point of view (the engine blocks its isolate/worker while waiting). */
  contextGet(scope: 'node' | 'flow' | 'global', keys: string[], store: string | undefined): Promise<Uint8Array>;
  contextSet(scope: 'node' | 'flow' | 'global', keys: string[], values: Uint8Array, store: string | undefined): Promise<void>;
  contextKeys(scope: 'node' | 'flow' | 'global', store: string | undefined): Promise<string[]>;
  /**
   * `node.error(err, msg)`: an error reported by the code without failing the
   * message; with a message (encoded) it reaches the catch nodes. Optional for
   * engines written before it existed: they may use log('error', ...) instead.
   */
  error?(error: { name?: string; message: string; stack?: string }, msg: Uint8Array | null): void;
  /** `env.get(name)` with Node-RED's typed value (encoded), resolved by the runtime for this node. */
  envGet?(name: string): Promise<Uint8Array>;
  /** Optional fast path of `send`: the outputs as JSON text and attachments, no frame built. */
  sendEncoded?(outputs: EncodedValue): void;
}

/** How to run one message. */
export interface RunOptions {
  /** Hand back the message as the code left it when it completes (complete nodes listen to this node). */
  returnMessage?: boolean;
}

/** The outcome of one message. */
export type RunOutcome =
  | {
      ok: true;
      /** encoded outputs returned by the function (null = nothing) */ result: Uint8Array | null;
      /** With RunOptions.returnMessage: the message as the code left it (encoded). */
      msg?: Uint8Array;
    }
  | {
      ok: false;
      error: { message: string; stack?: string; line?: number; column?: number; /** e.g. TypeError; default Error */ name?: string };
      timedOut?: boolean;
      /** The message as the code left it when it failed (encoded), so catch nodes see its changes as in Node-RED. */
      msg?: Uint8Array;
    };

/** RunOutcome with its message as text and attachments (the fast path of runEncoded). */
export type EncodedRunOutcome =
  | { ok: true; msg?: EncodedValue }
  | { ok: false; error: Extract<RunOutcome, { ok: false }>['error']; timedOut?: boolean; msg?: EncodedValue };

/** One function node's code, live inside the sandbox process. */
export interface UserCodeUnit {
  /**
   * Optional fast path of `run` for engines that read the unframed value
   * (returned values then go through the host's send/sendEncoded).
   */
  runEncoded?(msg: EncodedValue, options?: RunOptions): Promise<EncodedRunOutcome>;
  /** Run the function for one (encoded) message. Resolves when the message is done or failed or timed out. */
  run(msg: Uint8Array, options?: RunOptions): Promise<RunOutcome>;
  /** Run On Stop, clear timers, free the isolate/interpreter. */
  close(): Promise<void>;
}

export interface LanguageEngine {
  readonly language: 'javascript' | 'python';
  /** Compile (and run On Start). Rejects with a UserCodeCompileError-shaped error for bad code. */
  create(spec: UserCodeSpec, host: UserCodeHost): Promise<UserCodeUnit>;
}
