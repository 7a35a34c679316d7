import type { FlowMessage } from './message.js';

/**
 * Running user code (function nodes): the node asks for a unit holding its
 * code, then runs each message through it. The code runs in the supervised
 * sandbox process, never in the runtime's; what it sends, logs, sets as status
 * or reports with node.error reaches the node's outputs, log, status and catch
 * nodes directly, and its context and env are the node's own.
 */
export type SandboxLanguage = 'javascript' | 'python';

export interface SandboxUnitSpec {
  language: SandboxLanguage;
  /** The function body (Node-RED `func`). */
  func: string;
  /** On Start (Node-RED `initialize`). */
  initialize?: string;
  /** On Stop (Node-RED `finalize`). */
  finalize?: string;
  /** `node.outputCount` as the code sees it. */
  outputs: number;
  /** Time limit per message in ms, covering async work; 0 or absent = the runtime's default. */
  timeoutMs?: number;
  /** Memory cap of this node's code in MB; 0 or absent = the runtime's default. */
  memoryLimitMb?: number;
}

/**
 * How one message ended. A failure carries what the code threw (an Error, or a
 * string when it threw a string, as Node-RED keeps it), whether it ran out of
 * time, and the message as the code left it (so catch nodes see its changes).
 */
export type SandboxRunOutcome = { ok: true; msg?: FlowMessage } | { ok: false; error: Error | string; timedOut: boolean; msg?: FlowMessage };

export interface SandboxUnit {
  /**
   * Run one message. When complete nodes listen to this node, a completed run
   * also gives the message as the code left it (`msg`), as Node-RED's complete
   * node sees the function's changes.
   */
  run(msg: FlowMessage): Promise<SandboxRunOutcome>;
  /**
   * run() with a callback, called exactly once (possibly before runThen
   * returns): for a node's per-message path, which then needs no promise.
   */
  runThen(msg: FlowMessage, callback: (outcome: SandboxRunOutcome) => void): void;
  /** Runs On Stop, clears the code's timers and its status, frees its memory. */
  close(): Promise<void>;
}

export interface NodeSandbox {
  /** Compiles the code (starting the sandbox on first use). A syntax error rejects with its line and column. */
  createUnit(spec: SandboxUnitSpec): Promise<SandboxUnit>;
}
