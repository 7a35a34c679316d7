/**
 * The channel between the runtime and the sandbox process. Both directions
 * send one IPC message per event-loop turn holding every queued item
 * (`{ b: [...] }`), so the per-message cost of the boundary is a few array
 * entries, not a system call. Values are wire frames (wire-format.ts), never
 * live objects; every field is checked by the receiver before use.
 */
import type { UserCodeCompileError } from './child/language-engine.js';
import type { WireValue } from './wire-format.js';

export type { WireValue } from './wire-format.js';
import type { UserCodeSpec } from './child/language-engine.js';

export type SandboxLanguage = 'javascript' | 'python';

/** What the runtime asks the sandbox to create for one function node: the engine's spec plus its language. */
export interface ChildUnitSpec extends UserCodeSpec {
  language: SandboxLanguage;
}

/** A user-code error as data: what the code threw, where. */
export interface ErrorInfo {
  name: string;
  message: string;
  stack?: string;
  line?: number;
  column?: number;
}

export type ContextScopeName = 'node' | 'flow' | 'global';

/** A request the sandbox makes of the runtime on behalf of a unit (answered with a `reply`). */
export type HostRequest =
  | { op: 'get'; scope: ContextScopeName; keys: string[]; store?: string }
  | { op: 'set'; scope: ContextScopeName; keys: string[]; values: WireValue; store?: string }
  | { op: 'keys'; scope: ContextScopeName; store?: string }
  | { op: 'env'; name: string };

/** Runtime → sandbox. */
export type ChildCommand =
  | ['create', unitId: number, spec: ChildUnitSpec]
  | ['run', unitId: number, runId: number, msg: WireValue, returnMessage: boolean]
  | ['close', unitId: number]
  /** ok: the value (get/env), the keys (keys) or null (set); not ok: the error text. */
  | ['reply', requestId: number, ok: boolean, value: WireValue | string[] | null]
  | ['ping', sequence: number]
  | ['shutdown'];

/** Sandbox → runtime. */
export type ChildEvent =
  | ['ready', info: SandboxReadyInfo]
  | ['created', unitId: number, error: UserCodeCompileError | null]
  | ['send', unitId: number, outputs: WireValue]
  | ['done', unitId: number, runId: number, result: WireValue | null, msg: WireValue | null]
  | ['failed', unitId: number, runId: number, error: ErrorInfo, timedOut: boolean, msg: WireValue | null]
  | ['log', unitId: number, level: 'info' | 'warn' | 'error' | 'debug' | 'trace', text: string]
  | ['status', unitId: number, status: { fill?: string; shape?: string; text?: string }]
  | ['error', unitId: number, error: ErrorInfo, msg: WireValue | null]
  | ['request', requestId: number, unitId: number, request: HostRequest]
  | ['closed', unitId: number]
  | ['pong', sequence: number, usage: SandboxUsage]
  | ['problem', text: string];

export interface SandboxReadyInfo {
  pid: number;
  node: string;
  languages: SandboxLanguage[];
}

export interface SandboxUsage {
  rss: number;
  heapUsed: number;
  external: number;
}

export interface ChannelBatch<T> {
  b: T[];
}
