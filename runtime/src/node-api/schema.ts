import { Type, type TSchema, type TString, type TUnion, type TNumber } from '@sinclair/typebox';

/**
 * Schema pieces shared by node types. Node-RED exports often store numbers as
 * strings ("5", ""), so numeric properties accept both and nodes parse them.
 */
export function NumberLike(defaultValue: number | string, description?: string): TUnion<[TNumber, TString]> {
  return Type.Union([Type.Number(), Type.String()], { default: defaultValue, ...(description ? { description } : {}) });
}

/** The type half of Node-RED's typed input (`msg`, `flow`, `str`, `num`, `jsonata`, ...). */
export const TYPED_INPUT_TYPES = ['msg', 'flow', 'global', 'str', 'num', 'bool', 'json', 'bin', 'date', 'jsonata', 'env', 're', 'jsonpath'] as const;
export type TypedInputType = (typeof TYPED_INPUT_TYPES)[number];

export function TypedInputType(defaultValue: string, description?: string): TString {
  // Kept as a string (not an enum) so flows from newer Node-RED versions with
  // extra types still validate; nodes report unknown types when they run.
  return Type.String({ default: defaultValue, ...(description ? { description } : {}) });
}

/** Common node properties every Node-RED node may carry; listed for the editor. */
export const NodeName = Type.String({ default: '', description: 'Name shown on the node' });

export type { TSchema };
