import mustache from 'mustache';
import type { FlowMessage, NodeApi } from '@loopedge/runtime';
import { evaluateTypedValue, prepareTypedValue, type PreparedTypedValue } from '../../shared/typed-value.js';

/**
 * What the trigger sends first (op1) or second (op2). Besides Node-RED's typed
 * values there are `pay` (the existing / original payload), `payl` (the latest
 * message, op2 only) and `nul` (send nothing).
 */
export interface TriggerValue {
  readonly type: string;
  /** A string with {{mustache}} tags, rendered against the message. */
  readonly templated: boolean;
  evaluate(msg: FlowMessage): unknown;
}

/**
 * Normalise a configured value as Node-RED does: an empty value becomes the
 * default ("1" / "0"), the legacy type "val" becomes bool, null or str, and a
 * date keeps an empty format (the default value is not a format).
 */
export function prepareTriggerValue(node: NodeApi, rawValue: unknown, rawType: string, field: 'op1' | 'op2'): TriggerValue {
  const fallback = field === 'op1' ? '1' : '0';
  let value: unknown = rawValue || fallback;
  let type = rawType || 'str';
  if (type === 'date' && value === fallback) value = '';
  if (type === 'val') {
    if (value === 'true' || value === 'false') type = 'bool';
    else if (value === 'null') {
      type = 'null';
      value = null;
    } else type = 'str';
  }
  const text = String(value);
  if (type === 'str' && text.includes('{{')) {
    // Node-RED renders with plain mustache, which HTML-escapes {{ }} values.
    return { type, templated: true, evaluate: (msg) => mustache.render(text, msg) };
  }
  if (type === 'null' || type === 'pay' || type === 'payl' || type === 'nul') {
    return { type, templated: false, evaluate: () => value };
  }
  let prepared: PreparedTypedValue;
  try {
    prepared = prepareTypedValue(node, value, type, field);
  } catch {
    // Node-RED reports a bad value (e.g. invalid JSON) on every message, with the
    // evaluation's own error, so it is evaluated per message here too.
    return { type, templated: false, evaluate: (msg) => evaluateTypedValue(node, value, type, msg) };
  }
  return { type, templated: false, evaluate: (msg) => prepared.evaluate(msg) };
}
