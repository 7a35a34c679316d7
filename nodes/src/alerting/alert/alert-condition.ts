// What one message says about an alert's condition: it holds, it has cleared
// (hysteresis), or neither (inside the band: keep the current state).
import mustache from 'mustache';
import type { FlowMessage, NodeApi } from '@loopedge/runtime';
import { compileMessagePath, getPathOrUndefined } from '../../shared/property-expression.js';
import { prepareJsonata } from '../../shared/jsonata-expression.js';
import { parseNumberLike } from '../../shared/typed-value.js';

export type ConditionKind = 'message' | 'above' | 'below' | 'jsonata';

export interface ConditionConfig {
  condition: ConditionKind;
  property: string;
  threshold: number | string;
  clearBelow: number | string;
  clearAbove: number | string;
  expression: string;
  clearExpression: string;
}

export interface Reading {
  /** The condition holds for this message. */
  holds: boolean;
  /** The alert may clear on this message (beyond the hysteresis band). */
  clears: boolean;
  /** The value looked at, for the alert record and notifications. */
  value: unknown;
}

export type ConditionEvaluator = (msg: FlowMessage) => Promise<Reading | undefined>;

function requireNumber(node: NodeApi, field: string, raw: number | string, fallback?: number): number {
  if ((raw === '' || raw === undefined) && fallback !== undefined) return fallback;
  const value = parseNumberLike(raw, Number.NaN);
  if (!Number.isFinite(value)) throw new Error(`Node ${node.id}: ${field}: "${String(raw)}" is not a number; give the value the condition compares with`);
  return value;
}

/**
 * Compile the condition once at deploy. Numeric conditions read `property`
 * and compare it with `threshold`; they clear only past `clearBelow` /
 * `clearAbove` (default: the threshold itself), so a value hovering at the
 * threshold does not raise and clear over and over. A message whose property
 * is not a number is ignored (undefined).
 */
export function compileCondition(node: NodeApi, config: ConditionConfig): ConditionEvaluator {
  switch (config.condition) {
    case 'message':
      // Each message (e.g. a rule event) means the condition holds.
      return (msg) => Promise.resolve({ holds: true, clears: false, value: msg.payload });
    case 'above':
    case 'below': {
      const path = compileMessagePath(config.property || 'payload');
      const threshold = requireNumber(node, 'threshold', config.threshold);
      const above = config.condition === 'above';
      const clearAt = above ? requireNumber(node, 'clearBelow', config.clearBelow, threshold) : requireNumber(node, 'clearAbove', config.clearAbove, threshold);
      if (above ? clearAt > threshold : clearAt < threshold) {
        throw new Error(`Node ${node.id}: ${above ? 'clearBelow' : 'clearAbove'} (${clearAt}) is on the wrong side of threshold (${threshold}); the clear level must be ${above ? 'at or below' : 'at or above'} it`);
      }
      return (msg) => {
        const raw = getPathOrUndefined(msg, path);
        const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
        if (!Number.isFinite(value)) return Promise.resolve(undefined);
        return Promise.resolve(above ? { holds: value > threshold, clears: value < clearAt, value } : { holds: value < threshold, clears: value > clearAt, value });
      };
    }
    case 'jsonata': {
      if (!config.expression) throw new Error(`Node ${node.id}: expression: empty; give a JSONata expression that is true while the alert condition holds`);
      const holds = prepareJsonata(node, config.expression);
      const clears = config.clearExpression ? prepareJsonata(node, config.clearExpression) : undefined;
      return async (msg) => {
        const held = Boolean(await holds.evaluate(msg));
        const cleared = clears ? Boolean(await clears.evaluate(msg)) : !held;
        return { holds: held, clears: cleared && !held, value: msg.payload };
      };
    }
    default:
      throw new Error(`Node ${node.id}: condition: "${String(config.condition)}" is not one of message, above, below, jsonata`);
  }
}

/** Mustache templates for title, message and key, rendered against the message, never HTML-escaped. */
export function compileTemplate(node: NodeApi, field: string, template: string): (msg: FlowMessage) => string {
  try {
    mustache.parse(template);
  } catch (err) {
    throw new Error(`Node ${node.id}: ${field}: the template does not parse: ${(err as Error).message}`);
  }
  const options = { escape: (value: unknown) => (typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)) };
  return (msg) => mustache.render(template, msg, {}, options);
}
