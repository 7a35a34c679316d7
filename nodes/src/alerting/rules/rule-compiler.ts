// Rules in json-rules-engine's JSON format, checked at deploy and compiled
// once into synchronous predicates.
//
// Why not `engine.run()` per message: it builds an Almanac and a promise per
// condition, about 3,000 messages/s with 20 rules on this hardware, far under
// the 20,000 the issue asks. The compiled form keeps json-rules-engine's
// semantics (its own Rule parser accepts every rule, its operator map, with
// decorators such as `someFact:`, evaluates every comparison, its JSONPath
// library resolves `path` beyond the simple `$.a.b[0]` form, and all/any with
// no conditions are true as in the engine); rules.test.ts checks it against
// `engine.run()` on generated rules and messages.
import { createRequire } from 'node:module';
import type { Engine as RulesEngine, Rule as RulesRule } from 'json-rules-engine';
import type { JSONPath as JsonPathQuery } from 'jsonpath-plus';

// Both are required when a rules node compiles its rules, not at import: a
// LoopEdge without rules nodes does not carry them in memory.
const requireHere = createRequire(import.meta.url);
let rulesEngine: { Engine: typeof RulesEngine; Rule: typeof RulesRule } | undefined;
let jsonPath: typeof JsonPathQuery | undefined;
const loadRulesEngine = () => (rulesEngine ??= requireHere('json-rules-engine') as { Engine: typeof RulesEngine; Rule: typeof RulesRule });
const loadJsonPath = () => (jsonPath ??= (requireHere('jsonpath-plus') as { JSONPath: typeof JsonPathQuery }).JSONPath);

export interface RuleEvent {
  type: string;
  params?: Record<string, unknown>;
}

/** How a condition reads a fact; `cache` holds context reads for one message. */
export type FactReader = (scope: FactScope) => unknown;

export interface FactScope {
  msg: Record<string, unknown>;
  cache: Map<string, unknown>;
}

export type FactResolver = (name: string) => FactReader | undefined;

type Predicate = (scope: FactScope) => boolean;

export interface CompiledRule {
  index: number;
  name: string;
  priority: number;
  event: RuleEvent;
  test: Predicate;
}

interface EvaluatingOperator {
  name: string;
  evaluate(factValue: unknown, jsonValue: unknown): boolean;
}

/** The part of json-rules-engine's OperatorMap we use (not in its type declarations). */
interface OperatorLookup {
  get(name: string): EvaluatingOperator | null;
  operators: Map<string, EvaluatingOperator>;
  decorators: Map<string, unknown>;
}

export class RuleConfigError extends Error {
  constructor(readonly path: string, reason: string) {
    super(`${path}: ${reason}`);
    this.name = 'RuleConfigError';
  }
}

const BOOLEAN_KEYS = ['all', 'any', 'not'] as const;
const SIMPLE_PATH = /^\$((\.[A-Za-z_$][\w$]*)|(\[\d+\])|(\['[^'\\]*'\]))*$/;
const PATH_PART = /\.([A-Za-z_$][\w$]*)|\[(\d+)\]|\['([^'\\]*)'\]/g;

function operatorLookup(): OperatorLookup {
  const { Engine } = loadRulesEngine();
  return (new Engine() as unknown as { operators: OperatorLookup }).operators;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A `path` as a function of the fact's value; undefined when the path is missing. */
export function compileFactPath(path: string): (value: unknown) => unknown {
  if (SIMPLE_PATH.test(path)) {
    const keys = [...path.matchAll(PATH_PART)].map((m) => (m[1] ?? (m[2] !== undefined ? Number(m[2]) : m[3])) as string | number);
    return (value) => {
      let current: unknown = value;
      for (const key of keys) {
        if (typeof current !== 'object' || current === null || !Object.prototype.hasOwnProperty.call(current, key)) return undefined;
        current = (current as Record<string | number, unknown>)[key];
      }
      return current;
    };
  }
  const JSONPath = loadJsonPath();
  return (value) => JSONPath({ path, json: value as object, wrap: false }) as unknown;
}

class ConditionCompiler {
  readonly #operators = operatorLookup();
  readonly #operatorNames: string;

  constructor(private readonly resolveFact: FactResolver, private readonly factNames: () => string) {
    this.#operatorNames = `${[...this.#operators.operators.keys()].join(', ')} (optionally prefixed with ${[...this.#operators.decorators.keys()].map((d) => `${d}:`).join(', ')})`;
  }

  compile(condition: unknown, path: string, root = false): Predicate {
    if (!isPlainObject(condition)) throw new RuleConfigError(path, `a condition must be an object (got ${describe(condition)})`);
    const present = BOOLEAN_KEYS.filter((key) => key in condition);
    if (present.length > 1) throw new RuleConfigError(path, `has ${present.join(' and ')}; a condition has exactly one of all, any, not (nest a group to combine them)`);
    if ('condition' in condition) throw new RuleConfigError(`${path}.condition`, 'shared condition references are not supported; write the condition in place');
    const key = present[0];
    if (key === 'all' || key === 'any') return this.#group(condition[key], `${path}.${key}`, key);
    if (key === 'not') {
      if (Array.isArray(condition.not)) throw new RuleConfigError(`${path}.not`, 'must be one condition (an object), not an array; wrap several in { "all": [...] }');
      const inner = this.compile(condition.not, `${path}.not`);
      return (scope) => !inner(scope);
    }
    if (root) throw new RuleConfigError(path, 'the top level of conditions must be { "all": [...] }, { "any": [...] } or { "not": {...} }');
    return this.#comparison(condition, path);
  }

  #group(items: unknown, path: string, kind: 'all' | 'any'): Predicate {
    if (!Array.isArray(items)) throw new RuleConfigError(path, `must be an array of conditions (got ${describe(items)})`);
    const parts = items.map((item, i) => this.compile(item, `${path}[${i}]`));
    // json-rules-engine treats an empty group as true, for any as well as all.
    if (parts.length === 0) return () => true;
    if (kind === 'all') return (scope) => parts.every((part) => part(scope));
    return (scope) => parts.some((part) => part(scope));
  }

  #comparison(condition: Record<string, unknown>, path: string): Predicate {
    const operatorName = condition.operator;
    if (typeof operatorName !== 'string' || operatorName === '') throw new RuleConfigError(`${path}.operator`, `missing; use one of ${this.#operatorNames}`);
    const operator = this.#operators.get(operatorName);
    if (!operator) throw new RuleConfigError(`${path}.operator`, `unknown operator "${operatorName}"; use one of ${this.#operatorNames}`);
    if (!Object.prototype.hasOwnProperty.call(condition, 'value')) throw new RuleConfigError(`${path}.value`, 'missing: the value to compare the fact with');
    const left = this.#factReader(condition.fact, condition.path, path);
    const value = condition.value;
    const base = operatorName.slice(operatorName.lastIndexOf(':') + 1);
    const valueIsFact = isPlainObject(value) && Object.prototype.hasOwnProperty.call(value, 'fact');
    if (!valueIsFact && (base === 'in' || base === 'notIn') && !operatorName.includes(':') && !Array.isArray(value)) {
      throw new RuleConfigError(`${path}.value`, `"${base}" compares with a list: give an array (got ${describe(value)})`);
    }
    if (valueIsFact) {
      const right = this.#factReader(value.fact, value.path, `${path}.value`);
      return (scope) => operator.evaluate(left(scope), right(scope)) === true;
    }
    return (scope) => operator.evaluate(left(scope), value) === true;
  }

  #factReader(fact: unknown, factPath: unknown, path: string): FactReader {
    if (typeof fact !== 'string' || fact === '') throw new RuleConfigError(`${path}.fact`, `missing; name a fact: ${this.factNames()}`);
    const read = this.resolveFact(fact);
    if (!read) throw new RuleConfigError(`${path}.fact`, `unknown fact "${fact}"; use ${this.factNames()}`);
    if (factPath === undefined || factPath === '') return read;
    if (typeof factPath !== 'string' || !factPath.startsWith('$')) throw new RuleConfigError(`${path}.path`, `must be a JSONPath starting with "$" such as "$.payload.temp" (got ${describe(factPath)})`);
    const select = compileFactPath(factPath);
    // As json-rules-engine: a path applies to objects only; other values are compared as they are.
    return (scope) => {
      const value = read(scope);
      return typeof value === 'object' && value !== null ? select(value) : value;
    };
  }
}

export interface RuleInputConfig {
  name?: string;
  priority?: number | string;
  conditions?: unknown;
  event?: unknown;
}

/**
 * Check and compile every rule; the first problem throws a RuleConfigError
 * whose path points at it (`rules[2].conditions.all[1].operator`). Rules come
 * back ordered by priority, highest first (ties keep their order), as
 * json-rules-engine fires them.
 */
export function compileRules(rules: readonly RuleInputConfig[], resolveFact: FactResolver, factNames: () => string): CompiledRule[] {
  const compiler = new ConditionCompiler(resolveFact, factNames);
  const compiled = rules.map((rule, index): CompiledRule => {
    const path = `rules[${index}]`;
    if (!isPlainObject(rule)) throw new RuleConfigError(path, `a rule must be an object with name, conditions and event (got ${describe(rule)})`);
    const name = typeof rule.name === 'string' && rule.name !== '' ? rule.name : `rule ${index + 1}`;
    const priority = rule.priority === undefined || rule.priority === '' ? 1 : Number(rule.priority);
    if (!Number.isFinite(priority) || priority <= 0) throw new RuleConfigError(`${path}.priority`, `must be a number greater than 0 (got ${describe(rule.priority)})`);
    const event = compileEvent(rule.event, name, `${path}.event`);
    const test = compiler.compile(rule.conditions, `${path}.conditions`, true);
    try {
      // The engine's own parser: anything it would refuse is refused here too.
      new (loadRulesEngine().Rule)({ name, priority, conditions: rule.conditions as never, event });
    } catch (err) {
      throw new RuleConfigError(path, `json-rules-engine refuses it: ${(err as Error).message}`);
    }
    return { index, name, priority, event, test };
  });
  return compiled.sort((a, b) => b.priority - a.priority || a.index - b.index);
}

function compileEvent(event: unknown, name: string, path: string): RuleEvent {
  if (event === undefined || event === null || event === '') return { type: name };
  if (!isPlainObject(event)) throw new RuleConfigError(path, `must be an object { "type": "...", "params": {...} } (got ${describe(event)})`);
  const type = event.type === undefined || event.type === '' ? name : event.type;
  if (typeof type !== 'string') throw new RuleConfigError(`${path}.type`, `must be text (got ${describe(event.type)})`);
  if (event.params !== undefined && !isPlainObject(event.params)) throw new RuleConfigError(`${path}.params`, `must be an object (got ${describe(event.params)})`);
  return event.params === undefined ? { type } : { type, params: event.params };
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  try {
    const text = JSON.stringify(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  } catch {
    return typeof value;
  }
}
