import type { TObject } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import type { FlowProblem } from '@loopedge/flows';
import type { AnyNodeTypeDefinition } from '../node-api/definition.js';

const checkers = new WeakMap<TObject, TypeCheck<TObject>>();

function checkerFor(schema: TObject): TypeCheck<TObject> {
  let checker = checkers.get(schema);
  if (!checker) {
    checker = TypeCompiler.Compile(schema);
    checkers.set(schema, checker);
  }
  return checker;
}

/** A node's config with the schema's defaults filled in (the input is not changed). */
export function withDefaults(definition: AnyNodeTypeDefinition, item: Record<string, unknown>): Record<string, unknown> {
  return Value.Default(definition.config, structuredClone(item)) as Record<string, unknown>;
}

/**
 * Check one node's properties against its type's schema, after defaults.
 * Returns one problem per failing field, named by the node id and the field path.
 */
export function checkNodeConfig(definition: AnyNodeTypeDefinition, item: Record<string, unknown>, config = withDefaults(definition, item)): FlowProblem[] {
  const checker = checkerFor(definition.config);
  if (checker.Check(config)) return [];
  const problems: FlowProblem[] = [];
  const seen = new Set<string>();
  for (const error of checker.Errors(config)) {
    const field = error.path.replace(/^\//, '').replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.') || '$';
    if (seen.has(field)) continue;
    seen.add(field);
    problems.push({
      code: 'invalid-config',
      nodeId: typeof item.id === 'string' ? item.id : undefined,
      field,
      reason: `${error.message} (got ${describe(error.value)}) in a "${definition.type}" node`,
    });
    if (problems.length >= 20) break;
  }
  return problems;
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

/** Output count of a node, from its type (fixed or computed from the config). */
export function outputCountOf(definition: AnyNodeTypeDefinition, config: Record<string, unknown>): number | undefined {
  if (typeof definition.outputs === 'number') return definition.outputs;
  try {
    return definition.outputs(config);
  } catch {
    return undefined;
  }
}
