/**
 * What a sandboxed unit may do to the runtime, seen from the runtime's side:
 * the supervisor calls these with decoded values only. One bridge per node,
 * built by the engine from the node's own facade (its outputs, log, status,
 * context and environment), so a unit can never reach another node's state.
 */
import type { FlowMessage } from '../../node-api/message.js';
import type { ContextScopeName, ErrorInfo, HostRequest } from '../protocol.js';
import { decodeWire, encodeWire, type ValueCodecLimits, type WireValue } from '../wire-format.js';

const SCOPES: ReadonlySet<string> = new Set(['node', 'flow', 'global']);

export interface UnitBridge {
  /** node.send or a returned value: an array with one entry per output. */
  send(outputs: unknown[]): void;
  log(level: 'info' | 'warn' | 'error' | 'debug' | 'trace', text: string): void;
  status(status: { fill?: string; shape?: string; text?: string }): void;
  /** node.error(err, msg) from the code, or a problem with a value it produced. */
  error(error: Error | string, msg: FlowMessage | undefined): void;
  contextGet(scope: ContextScopeName, keys: string[], store: string | undefined): unknown[];
  contextSet(scope: ContextScopeName, keys: string[], values: unknown[], store: string | undefined): void;
  contextKeys(scope: ContextScopeName, store: string | undefined): string[];
  envGet(name: string): unknown;
}

/** An error from user code as the runtime reports it: Node-RED keeps thrown strings as strings. */
export function errorFromInfo(info: ErrorInfo): Error | string {
  if (!info.name) return info.message;
  const error = new Error(info.message);
  if (info.name !== 'Error') Object.defineProperty(error, 'name', { value: info.name, writable: true, configurable: true, enumerable: false });
  error.stack = info.stack ?? `${info.name}: ${info.message}`;
  return error;
}

/**
 * Answer a request from the code (context, env) through its node's bridge.
 * The request comes from the sandbox process: its fields are checked here
 * before they reach the stores.
 */
export function answerRequest(bridge: UnitBridge, request: HostRequest, limits: ValueCodecLimits): { ok: true; value: WireValue | string[] | null } | { ok: false; error: string } {
  try {
    if (request.op === 'env') {
      if (typeof request.name !== 'string') throw new Error('env.get needs a name');
      return { ok: true, value: encodeWire(bridge.envGet(request.name), limits) };
    }
    if (!SCOPES.has(request.scope)) throw new Error(`Unknown context scope "${String(request.scope)}"`);
    if (request.store !== undefined && typeof request.store !== 'string') throw new Error('The context store name must be text');
    switch (request.op) {
      case 'get':
        return { ok: true, value: encodeWire(bridge.contextGet(request.scope, checkKeys(request.keys), request.store), limits) };
      case 'set': {
        const values = decodeWire(request.values, limits);
        bridge.contextSet(request.scope, checkKeys(request.keys), Array.isArray(values) ? values : [values], request.store);
        return { ok: true, value: null };
      }
      case 'keys':
        return { ok: true, value: bridge.contextKeys(request.scope, request.store) };
      default:
        throw new Error('Unknown request');
    }
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

function checkKeys(keys: unknown): string[] {
  if (!Array.isArray(keys) || !keys.every((key) => typeof key === 'string')) throw new Error('Context keys must be text');
  return keys as string[];
}
