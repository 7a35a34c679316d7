/**
 * The switch node's rules in Node-RED's own shape (`{ t, v, vt, v2, v2t, case }`),
 * edited in place: a rule the user does not touch is kept as the same object, so
 * a Node-RED export round-trips unchanged. Operator names, labels and the value
 * types offered per operator follow Node-RED's 10-switch.html.
 */
export interface SwitchRule {
  t: string;
  v?: unknown;
  vt?: string;
  v2?: unknown;
  v2t?: string;
  case?: boolean | string;
  [other: string]: unknown;
}

/** How many values an operator takes: none (is true), one (==), two (is between). */
export type ValueArity = 0 | 1 | 2;

export interface SwitchOperator {
  t: string;
  label: string;
  arity: ValueArity;
  /** Value types offered (Node-RED's typed input types, plus `prev` for the previous value). */
  types: readonly string[];
}

const COMPARE_TYPES = ['str', 'num', 'bool', 'json', 'msg', 'flow', 'global', 'env', 'jsonata', 'prev'] as const;
const NUMBER_TYPES = ['num', 'msg', 'flow', 'global', 'env', 'jsonata', 'prev'] as const;
const COUNT_TYPES = ['num', 'msg', 'flow', 'global', 'env', 'jsonata'] as const;
/** `is of type`: Node-RED stores the type name in both v and vt. */
export const ISTYPE_TYPES = ['string', 'number', 'boolean', 'array', 'buffer', 'object', 'json', 'undefined', 'null'] as const;

export const SWITCH_OPERATORS: readonly SwitchOperator[] = [
  { t: 'eq', label: '==', arity: 1, types: COMPARE_TYPES },
  { t: 'neq', label: '!=', arity: 1, types: COMPARE_TYPES },
  { t: 'lt', label: '<', arity: 1, types: NUMBER_TYPES },
  { t: 'lte', label: '<=', arity: 1, types: NUMBER_TYPES },
  { t: 'gt', label: '>', arity: 1, types: NUMBER_TYPES },
  { t: 'gte', label: '>=', arity: 1, types: NUMBER_TYPES },
  { t: 'hask', label: 'has key', arity: 1, types: ['str', 'msg', 'flow', 'global', 'env'] },
  { t: 'btwn', label: 'is between', arity: 2, types: NUMBER_TYPES },
  { t: 'cont', label: 'contains', arity: 1, types: ['str', 'msg', 'flow', 'global', 'env'] },
  { t: 'regex', label: 'matches regex', arity: 1, types: ['str'] },
  { t: 'true', label: 'is true', arity: 0, types: [] },
  { t: 'false', label: 'is false', arity: 0, types: [] },
  { t: 'null', label: 'is null', arity: 0, types: [] },
  { t: 'nnull', label: 'is not null', arity: 0, types: [] },
  { t: 'istype', label: 'is of type', arity: 1, types: ISTYPE_TYPES },
  { t: 'empty', label: 'is empty', arity: 0, types: [] },
  { t: 'nempty', label: 'is not empty', arity: 0, types: [] },
  { t: 'head', label: 'head', arity: 1, types: COUNT_TYPES },
  { t: 'index', label: 'index between', arity: 2, types: COUNT_TYPES },
  { t: 'tail', label: 'tail', arity: 1, types: COUNT_TYPES },
  { t: 'jsonata_exp', label: 'JSONata exp', arity: 1, types: ['jsonata'] },
  { t: 'else', label: 'otherwise', arity: 0, types: [] },
];

export function switchOperator(t: string): SwitchOperator {
  return SWITCH_OPERATORS.find((o) => o.t === t) ?? { t, label: t, arity: 1, types: COMPARE_TYPES };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The rules as stored (a missing or odd value becomes no rules; odd entries are kept as they are). */
export function switchRulesOf(value: unknown): SwitchRule[] {
  if (!Array.isArray(value)) return [];
  return value.map((rule) => (isRecord(rule) && typeof rule['t'] === 'string' ? (rule as SwitchRule) : { t: 'eq', v: '', vt: 'str' }));
}

/** The rule Node-RED's editor adds: `== ""` as a string. */
export function newSwitchRule(): SwitchRule {
  return { t: 'eq', v: '', vt: 'str' };
}

/**
 * A rule with another operator, shaped as Node-RED saves it: no value for
 * value-less operators, v/vt for one value, v/vt/v2/v2t for two, the type name
 * twice for `istype`, `case` only for regex. A value already typed is kept
 * where the new operator can still use it.
 */
export function withOperator(rule: SwitchRule, t: string): SwitchRule {
  const op = switchOperator(t);
  const keepType = (type: string | undefined, fallback: string): string => (type && op.types.includes(type) ? type : fallback);
  if (op.arity === 0) return { t };
  if (t === 'istype') return { t, v: 'string', vt: 'string' };
  if (t === 'jsonata_exp') return { t, v: typeof rule.v === 'string' ? rule.v : '', vt: 'jsonata' };
  if (t === 'regex') return { t, v: typeof rule.v === 'string' ? rule.v : '', vt: 'str', case: rule.case === true };
  const first = op.types[0] ?? 'str';
  const next: SwitchRule = { t, v: rule.v ?? '', vt: keepType(rule.vt, first) };
  if (op.arity === 2) {
    next.v2 = rule.v2 ?? '';
    next.v2t = keepType(rule.v2t, first);
  }
  return next;
}

export function replaceAt<T>(list: readonly T[], index: number, item: T): T[] {
  return list.map((x, i) => (i === index ? item : x));
}

export function removeAt<T>(list: readonly T[], index: number): T[] {
  return list.filter((_, i) => i !== index);
}

/** Move one entry up (-1) or down (+1); at either end nothing changes. */
export function moveBy<T>(list: readonly T[], index: number, delta: -1 | 1): T[] {
  const target = index + delta;
  if (index < 0 || index >= list.length || target < 0 || target >= list.length) return [...list];
  const next = [...list];
  [next[index], next[target]] = [next[target]!, next[index]!];
  return next;
}

/**
 * A new order of the rules, and the same order for the node's wires: Node-RED
 * moves each output's wires with its rule, so a reorder keeps the connections.
 * `order[i]` is the old index of the rule now at i.
 */
export function reorderWires(wires: readonly string[][], order: readonly number[]): string[][] {
  return order.map((old) => [...(wires[old] ?? [])]);
}

/** `checkall` as Node-RED writes it: the string "true" or "false". */
export function checkAllOf(value: unknown): boolean {
  return value !== 'false' && value !== false;
}
