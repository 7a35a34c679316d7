import { FormatRegistry, Type, type TProperties, type TSchema, type ObjectOptions, type TObject } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import type { FieldProblem } from './errors.js';

// TypeBox refuses values of formats it does not know; this is the one we use.
if (!FormatRegistry.Has('date-time')) {
  FormatRegistry.Set('date-time', (value) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value)));
}

/** Request objects reject unknown fields: a typo must not be silently ignored. */
export function StrictObject<T extends TProperties>(properties: T, options: ObjectOptions = {}): TObject<T> {
  return Type.Object(properties, { ...options, additionalProperties: false });
}

/** Ids in paths: short, printable, no slashes. */
export const IdParam = Type.String({ minLength: 1, maxLength: 200, pattern: '^[^/\\s]+$' });

/** The body of every error response, for the OpenAPI document. */
export const ErrorBodySchema = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    problems: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String(), nodeId: Type.Optional(Type.String()) }))),
    reasons: Type.Optional(Type.Array(Type.String())),
  }),
});

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

function checkerFor(schema: TSchema): TypeCheck<TSchema> {
  let checker = compiled.get(schema);
  if (!checker) {
    checker = TypeCompiler.Compile(schema);
    compiled.set(schema, checker);
  }
  return checker;
}

/**
 * Every problem with one part of a request, each with a JSON pointer into it
 * (`body/users/0/role`). Only the first problem per path is kept: a missing
 * field would otherwise be reported once per sub-schema.
 */
export function findProblems(schema: TSchema, value: unknown, part: 'body' | 'query' | 'params'): FieldProblem[] {
  const checker = checkerFor(schema);
  if (checker.Check(value)) return [];
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  for (const error of checker.Errors(value)) {
    const path = `${part}${error.path}`;
    if (seen.has(path)) continue;
    seen.add(path);
    problems.push({ path, message: error.message });
    if (problems.length >= 20) break;
  }
  return problems;
}

/** Query strings and path params arrive as text: turn "10" into 10 where the schema wants a number. */
export function convertText(schema: TSchema, value: unknown): unknown {
  return Value.Convert(schema, value);
}
