import type { FlowProblem } from '../types.js';
import { describeValue, displayPath, indexPath, keyPath } from '../shared/field-path.js';

/**
 * One walk over every value of an item that finds what no flow document may hold:
 * prototype-polluting keys, nesting past the limit, values JSON cannot carry, getters,
 * cycles — and that adds up the document's JSON size on the way, so nothing is
 * stringified just to be measured.
 */

/** Keys that reach an object's prototype when copied with plain assignment. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export interface ScanLimits {
  /** Containers (objects, arrays) allowed inside an item; the item itself is level 0. */
  maxDepth: number;
  /** Estimated JSON length of the whole document, in UTF-16 code units. */
  maxBytes: number;
}

/** Shared by every item of one document: the running size estimate. */
export interface ScanBudget {
  bytes: number;
  exceeded: boolean;
}

interface ItemScan {
  readonly limits: ScanLimits;
  readonly budget: ScanBudget;
  readonly problems: FlowProblem[];
  readonly index: number;
  readonly nodeId: string | undefined;
  /** Containers on the path from the item to the current value, to tell cycles from shared values. */
  readonly ancestors: object[];
  tooDeepReported: boolean;
}

/**
 * Scan one item (already known to be a plain object). Problems are appended to
 * `problems`; the item's JSON size is added to `budget`. Never throws: a value that
 * cannot be read (throwing getter, hostile proxy) is reported where it sits.
 */
export function scanItem(
  item: object,
  index: number,
  nodeId: string | undefined,
  limits: ScanLimits,
  budget: ScanBudget,
  problems: FlowProblem[],
): void {
  const scan: ItemScan = { limits, budget, problems, index, nodeId, ancestors: [], tooDeepReported: false };
  try {
    scanObject(scan, item, '', 0);
  } catch (error) {
    report(scan, 'invalid-field', '', `could not be read (${errorText(error)}); flow documents must be plain JSON data`);
  }
  budget.bytes += 1; // the comma between items
  checkBudget(scan);
}

function scanValue(scan: ItemScan, value: unknown, path: string, depth: number): void {
  if (scan.budget.exceeded) return;
  switch (typeof value) {
    case 'string':
      scan.budget.bytes += value.length + 2;
      return;
    case 'number':
      if (!Number.isFinite(value)) {
        report(scan, 'invalid-field', path, `is ${String(value)}, which JSON cannot hold; use a finite number or a string`);
      }
      scan.budget.bytes += String(value).length;
      return;
    case 'boolean':
      scan.budget.bytes += value ? 4 : 5;
      return;
    case 'undefined':
      // Only array holes reach here (undefined properties are skipped): JSON writes them as null.
      scan.budget.bytes += 4;
      return;
    case 'object':
      if (value === null) {
        scan.budget.bytes += 4;
        return;
      }
      if (Array.isArray(value)) scanArray(scan, value, path, depth + 1);
      else scanObject(scan, value, path, depth + 1);
      return;
    default:
      report(scan, 'invalid-field', path, `is ${describeValue(value)}, which JSON cannot hold; flow documents must be plain JSON data`);
  }
}

/** Checks shared by objects and arrays before their contents are visited; false = do not descend. */
function enterContainer(scan: ItemScan, container: object, path: string, depth: number): boolean {
  if (depth > scan.limits.maxDepth) {
    if (!scan.tooDeepReported) {
      scan.tooDeepReported = true;
      report(
        scan,
        'too-deep',
        path,
        `is nested more than ${scan.limits.maxDepth} levels deep; flatten this value (deeper nesting is refused to keep parsing and signing bounded)`,
      );
    }
    return false;
  }
  if (scan.ancestors.includes(container)) {
    report(scan, 'invalid-field', path, 'refers back to a value that contains it (a cycle); flow documents must be plain JSON trees');
    return false;
  }
  return true;
}

function scanArray(scan: ItemScan, array: readonly unknown[], path: string, depth: number): void {
  if (!enterContainer(scan, array, path, depth)) return;
  if (Object.getPrototypeOf(array) !== Array.prototype) {
    report(scan, 'invalid-field', path, 'is an array subclass, not a plain array; flow documents must be plain JSON data');
    return;
  }
  const length = array.length;
  // Every element costs at least one character, so a huge (even sparse) array is
  // refused by its length alone, before anything walks it.
  scan.budget.bytes += 2 + Math.max(0, length - 1);
  if (checkBudget(scan)) return;
  scan.ancestors.push(array);
  for (let i = 0; i < length && !scan.budget.exceeded; i++) {
    scanValue(scan, array[i], indexPath(path, i), depth);
  }
  scan.ancestors.pop();
  checkBudget(scan);
}

function scanObject(scan: ItemScan, object: object, path: string, depth: number): void {
  if (!enterContainer(scan, object, path, depth)) return;
  const prototype: unknown = Object.getPrototypeOf(object);
  if (prototype !== Object.prototype && prototype !== null) {
    report(scan, 'invalid-field', path, `is ${describeValue(object)}, not plain data; flow documents must be plain JSON data`);
    return;
  }
  const keys = Object.keys(object);
  scan.budget.bytes += 2 + keys.length; // braces, and a comma or so per member
  if (checkBudget(scan)) return;
  scan.ancestors.push(object);
  for (const key of keys) {
    if (scan.budget.exceeded) break;
    if (FORBIDDEN_KEYS.has(key)) {
      report(
        scan,
        'forbidden-key',
        keyPath(path, key),
        `the key ${JSON.stringify(key)} is not allowed anywhere in a flow document (it can alter object prototypes); rename or remove it`,
      );
    }
    const descriptor = Object.getOwnPropertyDescriptor(object, key);
    if (descriptor === undefined) continue; // removed while we looked: a proxy or a getter with side effects
    if (descriptor.get !== undefined || descriptor.set !== undefined) {
      report(scan, 'invalid-field', keyPath(path, key), 'is a getter/setter, not a value; flow documents must be plain JSON data');
      continue;
    }
    const value: unknown = descriptor.value;
    if (value === undefined) continue; // JSON drops undefined members
    scan.budget.bytes += key.length + 3;
    scanValue(scan, value, keyPath(path, key), depth);
  }
  scan.ancestors.pop();
}

/** Records the first time the document grows past the byte limit; true once it has. */
function checkBudget(scan: ItemScan): boolean {
  if (scan.budget.exceeded) return true;
  if (scan.budget.bytes <= scan.limits.maxBytes) return false;
  scan.budget.exceeded = true;
  scan.problems.push({
    code: 'too-large',
    field: '$',
    reason:
      `the flow document is larger than the limit of ${scan.limits.maxBytes} characters of JSON ` +
      `(reached at item ${scan.index}); split it into smaller deploys or raise the maxBytes limit`,
  });
  return true;
}

function report(scan: ItemScan, code: FlowProblem['code'], path: string, reason: string): void {
  const problem: FlowProblem = { code, field: displayPath(path), reason, index: scan.index };
  if (scan.nodeId !== undefined) problem.nodeId = scan.nodeId;
  scan.problems.push(problem);
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return String(error);
  } catch {
    return 'unknown error';
  }
}

/**
 * An own data property's value, or undefined. Inherited members (a missing `__proto__`
 * would otherwise yield Object.prototype), getters and unreadable proxies give undefined:
 * the scan reports those, and the structural checks must not run user code.
 */
export function dataValue(object: object, key: string): unknown {
  try {
    const descriptor = Object.getOwnPropertyDescriptor(object, key);
    return descriptor !== undefined && descriptor.get === undefined && descriptor.set === undefined ? descriptor.value : undefined;
  } catch {
    return undefined;
  }
}
