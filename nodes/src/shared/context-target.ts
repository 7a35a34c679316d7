import type { ContextScope, FlowMessage, NodeApi } from '@loopedge/runtime';
import { compilePath, resolveExpression, type CompiledPath } from './property-expression.js';
import { parseContextStore } from './typed-value.js';

/**
 * A flow or global context property named the way Node-RED's typed input
 * writes it: `key.path`, `#:(store)::key`, or with a nested `[msg.x]`
 * reference resolved per message.
 */
export interface ContextTarget {
  readonly scope: ContextScope;
  readonly store: string | undefined;
  /** The key for this message (nested references resolved; throws if one is undefined). */
  key(msg: FlowMessage): string;
  get(msg: FlowMessage): unknown;
  set(msg: FlowMessage, value: unknown): void;
}

export function prepareContextTarget(node: NodeApi, type: 'flow' | 'global', property: string): ContextTarget {
  const { key, store } = parseContextStore(property);
  const context = node.context();
  const scope = type === 'flow' ? context.flow : context.global;
  const path: CompiledPath = compilePath(key); // validates the key now
  const keyFor = path.dynamic ? (msg: FlowMessage) => resolveExpression(path, msg) : () => key;
  return {
    scope,
    store,
    key: keyFor,
    get: (msg) => scope.get(keyFor(msg), store),
    set: (msg, value) => scope.set(keyFor(msg), value, store),
  };
}
