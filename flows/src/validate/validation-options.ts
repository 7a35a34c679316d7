import type { FlowDocument, FlowNode, FlowProblem } from '../types.js';

export interface ValidationLimits {
  /** Most items (nodes, tabs, groups, ...) a document may hold. */
  maxItems: number;
  /** Most nesting levels of objects/arrays inside one item (the item itself is level 0). */
  maxDepth: number;
  /** Most characters of JSON the document may take, estimated while scanning (strings count their length). */
  maxBytes: number;
}

export const DEFAULT_VALIDATION_LIMITS: Readonly<ValidationLimits> = Object.freeze({
  maxItems: 50_000,
  maxDepth: 32,
  maxBytes: 20 * 1024 * 1024,
});

/**
 * Recursion depth is bounded by maxDepth; this hard cap keeps a caller's very large
 * maxDepth from letting a hostile document exhaust the call stack.
 */
export const MAX_DEPTH_CAP = 1000;

export interface ValidationOptions {
  /** When given, a node whose type it rejects is an `unknown-type` problem. Structural and subflow types are never asked. */
  isKnownType?: (type: string) => boolean;
  /**
   * When given and it answers a number, wires on output ports beyond that count are
   * `no-such-port` problems. Subflow instances fall back to their template's outputs.
   */
  outputCount?: (node: FlowNode) => number | undefined;
  /**
   * Which types are config nodes: wires to them are refused, and they may omit z even
   * with x/y. Without it, as in Node-RED, an item without x and y may omit z (it is
   * global), and wires are not checked for config-node targets.
   */
  isConfigType?: (type: string) => boolean;
  limits?: Partial<ValidationLimits>;
}

export type ValidationResult = { ok: true; flows: FlowDocument } | { ok: false; problems: FlowProblem[] };

/** Limits with defaults filled in; nonsense values (negative, NaN) fall back to the default. */
export function resolveLimits(limits: Partial<ValidationLimits> | undefined): ValidationLimits {
  const pick = (value: number | undefined, fallback: number): number =>
    typeof value === 'number' && value >= 0 && !Number.isNaN(value) ? value : fallback;
  return {
    maxItems: pick(limits?.maxItems, DEFAULT_VALIDATION_LIMITS.maxItems),
    maxDepth: Math.min(pick(limits?.maxDepth, DEFAULT_VALIDATION_LIMITS.maxDepth), MAX_DEPTH_CAP),
    maxBytes: pick(limits?.maxBytes, DEFAULT_VALIDATION_LIMITS.maxBytes),
  };
}
