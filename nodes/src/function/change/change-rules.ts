import { cloneValue, type FlowMessage, type NodeApi } from '@loopedge/runtime';
import { compileMessagePath, getPath, setPath, type CompiledPath } from '../../shared/property-expression.js';
import { prepareContextTarget, type ContextTarget } from '../../shared/context-target.js';
import { dateValue, evaluateEnvValue, parseBinValue } from '../../shared/typed-value.js';
import { prepareJsonata } from '../../shared/jsonata-expression.js';

/** One rule as Node-RED stores it (after its own migration of older forms). */
export interface ChangeRule {
  t: string;
  p: string;
  pt: string;
  to?: unknown;
  tot: string;
  from?: unknown;
  fromt: string;
  dc?: boolean;
}

/**
 * One compiled step: true = carry on with the next rule, false = the message
 * stops here (Node-RED's `done(undefined, null)`: nothing is sent).
 */
export type ChangeStep = (msg: FlowMessage) => boolean | Promise<boolean>;

/** Thrown inside a step for Node-RED's "okay errors": the rule is skipped, the message goes on. */
class SkipRule extends Error {}
const SKIP = new SkipRule('rule skipped');

type ValueGetter = (msg: FlowMessage) => unknown | Promise<unknown>;

interface FromValue {
  type: string | undefined;
  value: unknown;
  re: RegExp | undefined;
}

const REGEX_SPECIALS = /[-[\]{}()*+?.,\\^$|#\s]/g;

function escapedGlobal(text: string): RegExp {
  return new RegExp(text.replace(REGEX_SPECIALS, '\\$&'), 'g');
}

export class ChangeRuleError extends Error {
  constructor(nodeId: string, ruleIndex: number, reason: string) {
    super(`Node ${nodeId}, rule ${ruleIndex + 1}: ${reason}`);
    this.name = 'ChangeRuleError';
  }
}

/** Read a message property; a missing parent skips the rule, as Node-RED's try/catch does. */
function readMessage(msg: FlowMessage, path: CompiledPath): unknown {
  try {
    return getPath(msg, path);
  } catch {
    throw SKIP;
  }
}

function prepareToValue(node: NodeApi, rule: ChangeRule, index: number): ValueGetter {
  const to = rule.to;
  switch (rule.tot) {
    case 'num': {
      const n = Number(to);
      return () => n;
    }
    case 'bool': {
      const b = /^true$/i.test(String(to));
      return () => b;
    }
    case 'json': {
      let parsed: unknown;
      try {
        parsed = JSON.parse(String(to));
      } catch (err) {
        throw new ChangeRuleError(node.id, index, `invalid JSON in "to": ${(err as Error).message}`);
      }
      // Each message gets its own object, as Node-RED parses per message.
      return parsed !== null && typeof parsed === 'object' ? () => cloneValue(parsed) : () => parsed;
    }
    case 'bin': {
      let bytes: Buffer;
      try {
        bytes = parseBinValue(String(to));
      } catch (err) {
        throw new ChangeRuleError(node.id, index, `invalid buffer in "to": ${(err as Error).message}`);
      }
      return () => Buffer.from(bytes);
    }
    case 'msg': {
      const path = compileMessagePath(String(to));
      return (msg) => readMessage(msg, path);
    }
    case 'flow':
    case 'global': {
      const target = prepareContextTarget(node, rule.tot, String(to));
      return (msg) => {
        let key: string;
        try {
          key = target.key(msg);
        } catch {
          throw SKIP;
        }
        try {
          return target.scope.get(key, target.store);
        } catch {
          return undefined; // a store error reads as undefined, as in Node-RED
        }
      };
    }
    case 'date':
      return () => dateValue(to);
    case 'env': {
      const value = evaluateEnvValue(node, String(to)); // Node-RED resolves env once, at start
      return () => value;
    }
    case 'jsonata': {
      let expression;
      try {
        expression = prepareJsonata(node, String(to));
      } catch (err) {
        throw new ChangeRuleError(node.id, index, (err as Error).message);
      }
      return (msg) => expression.evaluate(msg);
    }
    default:
      return () => to; // str and unknown types: the raw value
  }
}

function fromDynamicValue(value: unknown): FromValue | Error {
  if (typeof value === 'number' || value instanceof Number) return { type: 'num', value, re: undefined };
  if (typeof value === 'boolean') return { type: 'bool', value, re: undefined };
  if (value instanceof RegExp) return { type: 're', value, re: value };
  if (typeof value === 'string') return { type: 'str', value, re: escapedGlobal(value) };
  return new Error(`Invalid 'from' property: unsupported type: ${typeof value}`);
}

type FromGetter = (msg: FlowMessage) => FromValue | Error;

function prepareFromValue(node: NodeApi, rule: ChangeRule, index: number): FromGetter {
  if (rule.fromt === 'msg') {
    const path = compileMessagePath(String(rule.from));
    return (msg) => fromDynamicValue(readMessage(msg, path));
  }
  if (rule.fromt === 'flow' || rule.fromt === 'global') {
    const target = prepareContextTarget(node, rule.fromt, String(rule.from));
    return (msg) => {
      let key: string;
      try {
        key = target.key(msg);
      } catch {
        throw SKIP;
      }
      return fromDynamicValue(target.scope.get(key, target.store));
    };
  }
  const from = String(rule.from ?? '');
  let re: RegExp;
  try {
    re = rule.fromt === 're' ? new RegExp(from, 'g') : escapedGlobal(from);
  } catch (err) {
    throw new ChangeRuleError(node.id, index, `Invalid 'from' property: ${(err as Error).message}`);
  }
  const fixed: FromValue = { type: rule.fromt, value: from, re };
  return () => fixed;
}

/**
 * Node-RED's change semantics: a string is searched and replaced, unless the
 * whole string equals the `from` text, then the whole value is replaced (and
 * may change type); numbers and booleans are replaced only on an exact match.
 * Returns `undefined` when nothing is to be written.
 */
function changedValue(current: unknown, from: FromValue, to: unknown, toBool: boolean): { value: unknown } | undefined {
  if (typeof current === 'string') {
    if ((from.type === 'num' || from.type === 'bool' || from.type === 'str') && current === from.value) return { value: to };
    if (!from.re) return { value: current };
    const replaced = current.replace(from.re, String(to));
    // A boolean target that the replace turned into "true"/"false" becomes the boolean.
    return { value: toBool && replaced === String(to) ? to : replaced };
  }
  if ((typeof current === 'number' || current instanceof Number) && from.type === 'num') {
    // loose equality on purpose (a Number object equals its value), as Node-RED
    return Number(current) == Number(from.value) ? { value: to } : undefined;
  }
  if (typeof current === 'boolean' && from.type === 'bool') {
    return current.toString() === from.value ? { value: to } : undefined;
  }
  return undefined;
}

interface Target {
  kind: 'msg' | 'context';
  path?: CompiledPath;
  context?: ContextTarget;
}

function prepareTarget(node: NodeApi, rule: ChangeRule, index: number): Target {
  if (rule.pt === 'msg') return { kind: 'msg', path: compileMessagePath(rule.p) };
  if (rule.pt === 'flow' || rule.pt === 'global') return { kind: 'context', context: prepareContextTarget(node, rule.pt, rule.p) };
  throw new ChangeRuleError(node.id, index, `property type "${rule.pt}" is not one of msg, flow, global`);
}

/** Compile one set / change / delete rule (move is built from these). */
export function compileRule(node: NodeApi, rule: ChangeRule, index: number): ChangeStep {
  const target = prepareTarget(node, rule, index);
  const fast = fastSetStep(rule, target);
  if (fast) return fast;
  const getTo: ValueGetter = rule.t === 'delete' ? () => undefined : prepareToValue(node, rule, index);
  const getFrom: FromGetter | null = rule.t === 'change' ? prepareFromValue(node, rule, index) : null;
  const toBool = rule.tot === 'bool';

  const apply = (msg: FlowMessage, rawTo: unknown): boolean => {
    const to = rule.dc ? cloneValue(rawTo) : rawTo;
    let from: FromValue | null = null;
    if (getFrom) {
      const result = getFrom(msg);
      if (result instanceof Error) {
        node.error(result.message, msg);
        return true;
      }
      from = result;
    }
    if (target.kind === 'msg') {
      const path = target.path!;
      if (rule.t === 'delete') setPath(msg, path, undefined);
      else if (rule.t === 'set') {
        if (!setPath(msg, path, to)) node.warn(`Cannot set property of non-object type: ${rule.p}`);
      } else if (rule.t === 'change') {
        const change = changedValue(readMessage(msg, path), from!, to, toBool);
        if (change) setPath(msg, path, change.value);
      }
      return true;
    }
    const context = target.context!;
    let key: string;
    try {
      key = context.key(msg);
    } catch {
      return true;
    }
    if (rule.t === 'delete') context.scope.set(key, undefined, context.store);
    else if (rule.t === 'set') context.scope.set(key, to, context.store);
    else if (rule.t === 'change') {
      const change = changedValue(context.scope.get(key, context.store), from!, to, false);
      // Node-RED never completes the message when a context value is left
      // unchanged (no callback fires), so nothing is sent; we match that.
      if (!change) return false;
      context.scope.set(key, change.value, context.store);
    }
    return true;
  };

  return (msg) => {
    try {
      const to = getTo(msg);
      if (to instanceof Promise) {
        return to.then(
          (value) => {
            try {
              return apply(msg, value);
            } catch {
              return true;
            }
          },
          (err: unknown) => {
            node.error(`Invalid JSONata expression: ${err instanceof Error ? err.message : String(err)}`, msg);
            return false;
          },
        );
      }
      return apply(msg, to);
    } catch {
      // Node-RED's "okay error": a missing parent, a bad nested reference.
      return true;
    }
  };
}

/** `set msg.x to <constant>`: the throughput benchmark's hot path, one property write. */
function fastSetStep(rule: ChangeRule, target: Target): ChangeStep | null {
  if (rule.t !== 'set' || rule.dc || target.kind !== 'msg') return null;
  const path = target.path!;
  if (path.dynamic || path.parts.length !== 1) return null;
  let value: unknown;
  if (rule.tot === 'num') value = Number(rule.to);
  else if (rule.tot === 'bool') value = /^true$/i.test(String(rule.to));
  else if (rule.tot === 'str' && typeof rule.to === 'string') value = rule.to;
  else return null;
  const key = path.parts[0] as string | number;
  return (msg) => {
    (msg as Record<string | number, unknown>)[key] = value;
    return true;
  };
}

/**
 * Node-RED's move: set the destination from the source, then delete the
 * source; when both sit in the same store and the source path does not
 * contain the destination, it goes through a temporary `_temp_move`.
 */
export function compileMove(node: NodeApi, rule: ChangeRule, index: number): ChangeStep[] {
  const to = String(rule.to ?? '');
  const step = (r: Partial<ChangeRule> & { t: string; p: string; pt: string }): ChangeStep =>
    compileRule(node, { tot: 'str', fromt: 'str', ...r }, index);
  if (rule.tot !== rule.pt || (rule.p.indexOf(to) !== -1 && rule.p !== to)) {
    return [step({ t: 'set', p: to, pt: rule.tot, to: rule.p, tot: rule.pt }), step({ t: 'delete', p: rule.p, pt: rule.pt })];
  }
  return [
    step({ t: 'set', p: '_temp_move', pt: rule.tot, to: rule.p, tot: rule.pt }),
    step({ t: 'delete', p: rule.p, pt: rule.pt }),
    step({ t: 'set', p: to, pt: rule.tot, to: '_temp_move', tot: rule.pt }),
    step({ t: 'delete', p: '_temp_move', pt: rule.pt }),
  ];
}
