import type { FlowProblem, FlowProblemCode } from '../types.js';
import { describeValue, quote } from '../shared/field-path.js';
import { dataValue, scanItem, type ScanBudget } from './scan-values.js';
import type { ValidationLimits } from './validation-options.js';

/** An item that is an object, with what the cross-reference checks need read once. */
export interface ItemEntry {
  readonly index: number;
  readonly item: Readonly<Record<string, unknown>>;
  /** A usable id (non-empty string), else undefined. */
  readonly id: string | undefined;
  /** A usable type (non-empty string), else undefined. */
  readonly type: string | undefined;
}

export interface ItemIndex {
  readonly entries: ItemEntry[];
  /** First item with each id; later duplicates are reported, not indexed. */
  readonly byId: Map<string, ItemEntry>;
}

/**
 * Step 1 of validation: read each item once, scan its values (forbidden keys, depth,
 * size), check id and type, and index items by id. Returns undefined when the document
 * is too large to go on with (the problem is already recorded).
 */
export function indexItems(doc: readonly unknown[], limits: ValidationLimits, problems: FlowProblem[]): ItemIndex | undefined {
  const entries: ItemEntry[] = [];
  const byId = new Map<string, ItemEntry>();
  const budget: ScanBudget = { bytes: 2, exceeded: false };
  const length = doc.length;
  for (let index = 0; index < length; index++) {
    const entry = readItem(doc, index, limits, budget, problems);
    if (budget.exceeded) return undefined;
    if (entry === undefined) continue;
    entries.push(entry);
    if (entry.id === undefined) continue;
    const first = byId.get(entry.id);
    if (first === undefined) byId.set(entry.id, entry);
    else {
      push(problems, 'duplicate-id', index, entry.id, 'id',
        `the id ${quote(entry.id)} is used by item ${first.index} and item ${index}; ids must be unique — give one of them a new id`);
    }
  }
  return { entries, byId };
}

function readItem(
  doc: readonly unknown[],
  index: number,
  limits: ValidationLimits,
  budget: ScanBudget,
  problems: FlowProblem[],
): ItemEntry | undefined {
  let value: unknown;
  try {
    value = doc[index];
  } catch {
    push(problems, 'not-an-object', index, undefined, '$', `item ${index} could not be read; flow documents must be plain JSON data`);
    return undefined;
  }
  if (!isPlainObject(value)) {
    budget.bytes += 5;
    push(problems, 'not-an-object', index, undefined, '$',
      `item ${index} is ${describeValue(value)}, not an object; every entry of a flow document must be an object with an id and a type`);
    return undefined;
  }
  const rawId = dataValue(value, 'id');
  const rawType = dataValue(value, 'type');
  const id = typeof rawId === 'string' && rawId !== '' ? rawId : undefined;
  const type = typeof rawType === 'string' && rawType !== '' ? rawType : undefined;
  scanItem(value, index, id, limits, budget, problems);
  if (budget.exceeded) return undefined;
  if (id === undefined) {
    push(problems, 'missing-id', index, undefined, 'id',
      `item ${index} has ${rawId === undefined ? 'no id' : `an id that is ${describeValue(rawId)}`}; give it a unique non-empty string id`);
  }
  if (type === undefined) {
    push(problems, 'missing-type', index, id, 'type',
      `${rawType === undefined ? 'has no type' : `has a type that is ${describeValue(rawType)}`}; set type to the node type name, e.g. "inject" or "tab"`);
  }
  return { index, item: value, id, type };
}

/** Objects JSON can produce: prototype Object.prototype or null, not arrays. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  try {
    if (Array.isArray(value)) return false;
    const prototype: unknown = Object.getPrototypeOf(value);
    return prototype === Object.prototype || prototype === null;
  } catch {
    return false;
  }
}

export function push(
  problems: FlowProblem[],
  code: FlowProblemCode,
  index: number,
  nodeId: string | undefined,
  field: string,
  reason: string,
): void {
  const problem: FlowProblem = { code, field, reason, index };
  if (nodeId !== undefined) problem.nodeId = nodeId;
  problems.push(problem);
}
