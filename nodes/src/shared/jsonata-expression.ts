import { createRequire } from 'node:module';
import type jsonata from 'jsonata';
import type { FlowMessage, NodeApi } from '@loopedge/runtime';
import { cloneMessage, cloneValue } from '@loopedge/runtime';

/**
 * JSONata as Node-RED runs it: compiled once per node, evaluated per message
 * with `$flowContext`, `$globalContext`, `$env` and `$clone` bound. JSONata 2.x
 * evaluates asynchronously, so every evaluation returns a promise.
 */
export interface PreparedJsonata {
  readonly source: string;
  /** Evaluate against a message; `extraBindings` adds variables such as `$I` or `$A`. */
  evaluate(msg: unknown, extraBindings?: Record<string, unknown>): Promise<unknown>;
}

export class JsonataCompileError extends Error {
  constructor(readonly expression: string, reason: string) {
    super(`Invalid JSONata expression "${expression}": ${reason}`);
    this.name = 'JsonataCompileError';
  }
}

// Required on the first expression, not at import: most flows use none, and
// the parser and evaluator would otherwise sit in every LoopEdge's memory.
let jsonataCompiler: typeof jsonata | undefined;
function loadJsonata(): typeof jsonata {
  jsonataCompiler ??= createRequire(import.meta.url)('jsonata') as typeof jsonata;
  return jsonataCompiler;
}

// Node-RED evaluates `msg.payload` style expressions (older flows) against
// `{ msg }` instead of the message itself; this is its exact test.
const LEGACY_MSG = /(^|[^a-zA-Z0-9_'".])msg([^a-zA-Z0-9_'"]|$)/;

/** Compile a JSONata expression for a node. Throws JsonataCompileError on bad syntax. */
export function prepareJsonata(node: NodeApi, source: string): PreparedJsonata {
  let expression: jsonata.Expression;
  try {
    expression = loadJsonata()(source);
  } catch (err) {
    throw new JsonataCompileError(source, describeJsonataError(err));
  }
  expression.registerFunction('clone', (value: unknown) => cloneAny(value), '<(oa)-:o>');
  const legacy = LEGACY_MSG.test(source);
  const context = node.context();
  const bindings: Record<string, unknown> = {
    flowContext: (key: string, store?: string) => context.flow.get(key, store),
    globalContext: (key: string, store?: string) => context.global.get(key, store),
    env: (name: string) => {
      const value = node.env.get(name);
      return value === undefined ? '' : value;
    },
  };
  return {
    source,
    evaluate(msg: unknown, extraBindings?: Record<string, unknown>): Promise<unknown> {
      const input = legacy ? { msg } : msg;
      const all = extraBindings ? { ...bindings, ...extraBindings } : bindings;
      return expression.evaluate(input, all).catch((err: unknown) => {
        throw new Error(`JSONata expression "${source}" failed: ${describeJsonataError(err)}`);
      });
    },
  };
}

function cloneAny(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && '_msgid' in value) {
    return cloneMessage(value as FlowMessage);
  }
  return cloneValue(value);
}

/** JSONata errors carry a code, a message and a position; make one readable line. */
export function describeJsonataError(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { message?: string; code?: string; position?: number; token?: string };
    const where = typeof e.position === 'number' ? ` (at position ${e.position})` : '';
    return `${e.message ?? String(err)}${where}`;
  }
  return String(err);
}
