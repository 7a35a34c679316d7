import type { FlowMessage, NodeApi } from '@loopedge/runtime';
import { prepareTypedValue } from '../../shared/typed-value.js';
import { prepareJsonata, type PreparedJsonata } from '../../shared/jsonata-expression.js';
import { OPERATORS, type Operator, type SequenceParts } from './switch-operators.js';

/** A rule as Node-RED stores it. */
export interface SwitchRuleConfig {
  t: string;
  v?: unknown;
  vt?: string;
  v2?: unknown;
  v2t?: string;
  case?: boolean | string;
}

/** Per-message state the value getters may read. */
export interface RuleInput {
  msg: FlowMessage;
  previousValue: unknown;
  /** msg.parts has id and index (a sequence member). */
  hasParts: boolean;
}

type Getter = (input: RuleInput) => unknown | Promise<unknown>;

export interface CompiledSwitchRule {
  readonly type: string;
  readonly operator: Operator;
  readonly caseInsensitive: boolean;
  readonly getV1: Getter;
  readonly getV2: Getter;
  /** True when a getter may return a promise (JSONata). */
  readonly isAsync: boolean;
}

export class SwitchRuleError extends Error {
  constructor(nodeId: string, index: number, reason: string) {
    super(`Node ${nodeId}, rule ${index + 1}: ${reason}`);
    this.name = 'SwitchRuleError';
  }
}

/** Node-RED guesses a missing value type: numeric text is a number. */
function inferType(value: unknown): string {
  return Number.isNaN(Number(value)) ? 'str' : 'num';
}

function jsonataGetter(node: NodeApi, source: unknown, index: number, withSequence: boolean): Getter {
  let expression: PreparedJsonata;
  try {
    expression = prepareJsonata(node, String(source));
  } catch (err) {
    throw new SwitchRuleError(node.id, index, (err as Error).message);
  }
  return ({ msg, hasParts }) => {
    const parts = msg.parts as SequenceParts | undefined;
    // $I and $N are the message's place in its sequence (jsonata_exp rules).
    const bindings = withSequence && hasParts && parts ? { I: parts.index, N: parts.count } : undefined;
    return expression.evaluate(msg, bindings).catch((err: unknown) => {
      throw new Error(`Invalid JSONata expression: ${(err as Error).message}`);
    });
  };
}

/**
 * A typed value the way switch evaluates it: any evaluation error gives
 * `undefined` (Node-RED ignores the error), so a value that cannot work at
 * all (bad JSON in a `bin`) also reads as undefined.
 */
function tolerantGetter(node: NodeApi, value: unknown, type: string): Getter {
  let prepared;
  try {
    prepared = prepareTypedValue(node, value, type);
  } catch {
    return () => undefined;
  }
  return ({ msg }) => {
    try {
      return prepared.evaluate(msg);
    } catch {
      return undefined;
    }
  };
}

function valueGetter(node: NodeApi, rule: SwitchRuleConfig, index: number): Getter {
  const type = rule.vt || inferType(rule.v);
  if (type === 'prev') return ({ previousValue }) => previousValue;
  if (type === 'jsonata') return jsonataGetter(node, rule.v, index, rule.t === 'jsonata_exp');
  // istype rules keep the type name in v; these two types are literal names.
  if (type === 'json') return () => 'json';
  if (type === 'null') return () => 'null';
  if (type === 'num' && !Number.isNaN(Number(rule.v))) {
    const n = Number(rule.v);
    return () => n;
  }
  return tolerantGetter(node, rule.v, type);
}

function secondValueGetter(node: NodeApi, rule: SwitchRuleConfig, index: number): Getter {
  if (rule.v2t === 'prev') return ({ previousValue }) => previousValue;
  if (rule.v2 === undefined) return () => undefined;
  const type = rule.v2t || inferType(rule.v2);
  if (type === 'jsonata') return jsonataGetter(node, rule.v2, index, false);
  if (type === 'num') {
    const n = Number(rule.v2);
    return () => n;
  }
  return tolerantGetter(node, rule.v2, type);
}

export function compileSwitchRule(node: NodeApi, rule: SwitchRuleConfig, index: number): CompiledSwitchRule {
  const operator = OPERATORS[rule.t];
  if (!operator) {
    throw new SwitchRuleError(node.id, index, `unknown operator "${rule.t}"; expected one of ${Object.keys(OPERATORS).join(', ')}`);
  }
  return {
    type: rule.t,
    operator,
    caseInsensitive: Boolean(rule.case),
    getV1: valueGetter(node, rule, index),
    getV2: secondValueGetter(node, rule, index),
    isAsync: rule.vt === 'jsonata' || rule.v2t === 'jsonata',
  };
}
