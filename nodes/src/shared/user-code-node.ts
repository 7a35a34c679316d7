import type { DoneFunction, FlowMessage, NodeApi, SandboxUnit } from '@loopedge/runtime';

/** What the JavaScript and Python function nodes share: config parsing and how a run's outcome reaches the flow. */
export interface UserCodeConfig {
  func: string;
  initialize: string;
  finalize: string;
  outputs: number | string;
  timeout: number | string;
}

/** Node-RED stores outputs as a number or a string; anything odd counts as 0. */
export function outputCount(value: number | string): number {
  return Math.max(0, Math.trunc(Number(value)) || 0);
}

/** The per-message time limit in ms; 0 = the sandbox's default. */
function timeoutMs(value: number | string): number {
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
}

/** Catch and complete nodes see the message as the code left it: replace the original's contents with it. */
function adopt(msg: FlowMessage, changed: FlowMessage): void {
  for (const key of Object.keys(msg)) if (!(key in changed)) delete msg[key];
  Object.assign(msg, changed);
}

export function createUserCodeUnit(node: NodeApi, language: 'javascript' | 'python', config: UserCodeConfig): Promise<SandboxUnit> {
  return node.sandbox.createUnit({
    language,
    func: config.func,
    initialize: config.initialize,
    finalize: config.finalize,
    outputs: outputCount(config.outputs),
    timeoutMs: timeoutMs(config.timeout),
  });
}

/**
 * Run one message and call `done` when it is done, with its error if it failed.
 * With `keepErrorOnMessage`, an Error (not a thrown string) is also left on the
 * message as `msg.error`, where Node-RED's catch node shows it as `msg._error`.
 * Callback form: no promise per message on the function nodes' hot path.
 */
export function runUserCode(unit: SandboxUnit, msg: FlowMessage, keepErrorOnMessage: boolean, done: DoneFunction): void {
  unit.runThen(msg, (outcome) => {
    if (outcome.msg) adopt(msg, outcome.msg);
    if (outcome.ok) return done();
    if (keepErrorOnMessage && typeof outcome.error !== 'string' && !outcome.timedOut) msg.error = outcome.error;
    done(outcome.error);
  });
}
