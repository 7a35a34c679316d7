import type { JsonSchema, NodeTypeInfo } from '../model/index.js';

export type FieldWidget =
  | { kind: 'text' }
  | { kind: 'number' }
  | { kind: 'checkbox' }
  | { kind: 'select'; options: string[] }
  | { kind: 'code'; language: 'javascript' | 'python' | 'text' }
  | { kind: 'typed'; typeField: string }
  | { kind: 'msg-property' }
  | { kind: 'config'; configType: string }
  | { kind: 'rules' }
  | { kind: 'switch-rules' }
  | { kind: 'change-rules' }
  | { kind: 'inject-props' }
  | { kind: 'inject-schedule' }
  | { kind: 'node-list'; listOnly: boolean }
  | { kind: 'config-list'; family: string }
  | { kind: 'json' };

export interface FormField {
  name: string;
  label: string;
  description?: string;
  widget: FieldWidget;
}

/** Properties every flow item has that the form never shows (position, wiring, ids). */
const HIDDEN = new Set(['id', 'type', 'z', 'x', 'y', 'wires', 'g', 'd', 'noerr', 'libs', 'w', 'h']);

function isType(schema: JsonSchema, type: string): boolean {
  return schema.type === type || (Array.isArray(schema.type) && schema.type.includes(type));
}

/** The widget for one property: the type's hint first, else from its JSON Schema. */
export function widgetFor(name: string, schema: JsonSchema, hint: string | undefined): FieldWidget {
  if (hint === 'code-js') return { kind: 'code', language: 'javascript' };
  if (hint === 'code-python') return { kind: 'code', language: 'python' };
  if (hint === 'code-jsonata' || hint === 'code-mustache' || hint === 'markdown') return { kind: 'code', language: 'text' };
  if (hint?.startsWith('typed-input:')) return { kind: 'typed', typeField: hint.slice('typed-input:'.length) };
  if (hint === 'msg-property') return { kind: 'msg-property' };
  if (hint?.startsWith('config-node:')) return { kind: 'config', configType: hint.slice('config-node:'.length) };
  if (hint === 'rule-builder') return { kind: 'rules' };
  if (hint === 'switch-rules') return { kind: 'switch-rules' };
  if (hint === 'change-rules') return { kind: 'change-rules' };
  if (hint === 'inject-props') return { kind: 'inject-props' };
  if (hint === 'inject-schedule') return { kind: 'inject-schedule' };
  // complete's scope is always a list; catch and status also allow null ("all") and "group".
  if (hint === 'node-list') return { kind: 'node-list', listOnly: !(schema.anyOf ?? []).some((s) => isType(s, 'null')) };
  if (hint?.startsWith('config-node-list:')) return { kind: 'config-list', family: hint.slice('config-node-list:'.length) };
  if (hint) return { kind: 'json' }; // rule lists, schedules, headers...: edited as JSON until they get their own widget
  if (schema.anyOf?.some((s) => isType(s, 'number'))) return { kind: 'number' };
  if (isType(schema, 'number') || isType(schema, 'integer')) return { kind: 'number' };
  if (isType(schema, 'boolean') || schema.anyOf?.some((s) => isType(s, 'boolean'))) return { kind: 'checkbox' };
  const choices = schema.enum ?? (schema.anyOf?.every((s) => s.const !== undefined) ? schema.anyOf.map((s) => s.const) : undefined);
  if (choices && choices.every((c) => typeof c === 'string')) return { kind: 'select', options: choices as string[] };
  if (isType(schema, 'string')) return { kind: 'text' };
  if (name === 'name') return { kind: 'text' };
  return { kind: 'json' };
}

/**
 * Properties a widget edits itself, so they get no field of their own: the
 * switch widget has "checking all rules" and keeps `outputs` equal to its rules; the
 * change widget shows a legacy node's action/property/from/to as its rule;
 * inject's props widget writes payload/payloadType/topic as Node-RED does; one
 * schedule widget covers both `repeat` and `crontab`.
 */
const OWNED_BY_WIDGET: Record<string, readonly string[]> = {
  'switch-rules': ['checkall', 'outputs'],
  // The change node's pre-0.12 single rule: shown as the first rule instead.
  'change-rules': ['action', 'property', 'from', 'to', 'reg'],
  'inject-props': ['payload', 'payloadType', 'topic'],
  'inject-schedule': ['crontab'],
};

/**
 * The form of a node type, in schema order with `name` first. A property that holds
 * another one's typed-input type (`payloadType` for `payload`) is shown inside that
 * property's widget, not on its own.
 */
export function formFields(info: NodeTypeInfo | undefined, item: Record<string, unknown>): FormField[] {
  const properties: Record<string, JsonSchema> = { ...(info?.schema.properties ?? {}) };
  if (!info) {
    // Unknown type (not installed): still editable, as plain values.
    for (const [key, value] of Object.entries(item)) if (!HIDDEN.has(key)) properties[key] = { type: typeof value === 'string' ? 'string' : typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : 'object' };
  }
  const widgets = info?.editor.widgets ?? {};
  const typeFields = new Set(Object.values(widgets).filter((w) => w.startsWith('typed-input:')).map((w) => w.slice('typed-input:'.length)));
  const owned = new Set(Object.entries(widgets).flatMap(([name, hint]) => (OWNED_BY_WIDGET[hint] ?? []).filter((o) => o !== name)));
  const names = Object.keys(properties).filter((n) => !HIDDEN.has(n) && !typeFields.has(n) && !owned.has(n));
  names.sort((a, b) => (a === 'name' ? -1 : b === 'name' ? 1 : 0));
  return names.map((name) => {
    const schema = properties[name]!;
    return { name, label: name, ...(schema.description ? { description: schema.description } : {}), widget: widgetFor(name, schema, widgets[name]) };
  });
}

/** The 1-based line number a deploy error names ("line 3", "3:14", "<isolated-vm>:3"), if any. */
export function errorLineOf(message: string | undefined): number | undefined {
  if (!message) return undefined;
  const match = /\bline (\d+)/i.exec(message) ?? /:(\d+):\d+\b/.exec(message);
  return match ? Number(match[1]) : undefined;
}
