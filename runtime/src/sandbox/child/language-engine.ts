/**
 * The contract between the sandbox process and a language engine (JavaScript on
 * isolated-vm, Python on Pyodide). Everything crossing it is plain data: the
 * engine never receives a host object, and never hands one back.
 *
 * Values are encoded with `encodeValue`/`decodeValue` (sandbox/wire-format.ts):
 * JSON-like data plus exact bytes for Buffers/typed arrays, with size caps.
 */

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
}

/** The outcome of one message. */
export type RunOutcome =
  | { ok: true; /** encoded outputs returned by the function (null = nothing) */ result: Uint8Array | null; /** the code called node.done itself or returned */ }
  | { ok: false; error: { message: string; stack?: string; line?: number; column?: number }; timedOut?: boolean };

/** One function node's code, live inside the sandbox process. */
export interface UserCodeUnit {
  /** Run the function for one (encoded) message. Resolves when the message is done or failed or timed out. */
  run(msg: Uint8Array): Promise<RunOutcome>;
  /** Run On Stop, clear timers, free the isolate/interpreter. */
  close(): Promise<void>;
}

export interface LanguageEngine {
  readonly language: 'javascript' | 'python';
  /** Compile (and run On Start). Rejects with a UserCodeCompileError-shaped error for bad code. */
  create(spec: UserCodeSpec, host: UserCodeHost): Promise<UserCodeUnit>;
}
