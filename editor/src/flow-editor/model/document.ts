import type { FlowItem, FlowNode, FlowTab, SubflowTemplate } from '@loopedge/flows';

/**
 * The editor's document is Node-RED's flat flow array, kept immutable: every edit
 * returns a new array in which untouched items are the very same objects. That makes
 * undo cheap (history keeps whole documents, sharing all unchanged items) and makes
 * "what changed" a reference comparison.
 */
export type EditorDocument = readonly FlowItem[];

/** What the editor knows about a node type (a slice of GET /api/nodes). */
export interface NodeTypeInfo {
  type: string;
  category: string;
  inputs: number;
  outputs: number;
  dynamicOutputs?: boolean;
  configNode?: boolean;
  editor: { label?: string; paletteLabel?: string; icon?: string; color?: string; align?: string; outputLabels?: string[]; inputLabels?: string[]; widgets?: Record<string, string> };
  schema: JsonSchemaObject;
  credentials?: JsonSchemaObject;
}

export interface JsonSchema {
  type?: string | string[];
  default?: unknown;
  description?: string;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  const?: unknown;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  minimum?: number;
  maximum?: number;
  format?: string;
}

export interface JsonSchemaObject extends JsonSchema {
  properties?: Record<string, JsonSchema>;
  required?: string[];
}

export type NodeTypeLookup = (type: string) => NodeTypeInfo | undefined;

/** Node-RED's id shape: 16 hex digits. */
export function newItemId(): string {
  const bytes = new Uint8Array(8);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function indexById(doc: EditorDocument): Map<string, FlowItem> {
  return new Map(doc.map((item) => [item.id, item]));
}

export function tabsOf(doc: EditorDocument): FlowTab[] {
  return doc.filter((item): item is FlowTab => item.type === 'tab');
}

export function subflowsOf(doc: EditorDocument): SubflowTemplate[] {
  return doc.filter((item): item is SubflowTemplate => item.type === 'subflow');
}

export function isContainer(item: FlowItem): boolean {
  return item.type === 'tab' || item.type === 'subflow';
}

/** Nodes (including groups) whose z is this tab or subflow, in document order. */
export function itemsOn(doc: EditorDocument, z: string): FlowNode[] {
  return doc.filter((item): item is FlowNode => item['z'] === z && !isContainer(item));
}

/** A config node: a non-structural item without a canvas position (Node-RED's own rule), or a type the registry marks. */
export function isConfigItem(item: FlowItem, lookup?: NodeTypeLookup): boolean {
  if (item.type === 'tab' || item.type === 'subflow' || item.type === 'group') return false;
  const info = lookup?.(item.type);
  if (info) return info.configNode === true;
  return item['x'] === undefined || item['y'] === undefined;
}

export function wiresOf(item: FlowItem): string[][] {
  const wires = item['wires'];
  return Array.isArray(wires) ? (wires as unknown[]).map((port) => (Array.isArray(port) ? port.filter((t): t is string => typeof t === 'string') : [])) : [];
}

/** Number of output ports: from the subflow template, the node's own `outputs` property, the type, or its wires. */
export function outputCountOf(item: FlowItem, doc: EditorDocument, lookup?: NodeTypeLookup): number {
  if (item.type.startsWith('subflow:')) {
    const template = doc.find((i) => i.id === item.type.slice('subflow:'.length) && i.type === 'subflow') as SubflowTemplate | undefined;
    return template ? (template.out ?? []).length : wiresOf(item).length;
  }
  const info = lookup?.(item.type);
  const own = Number(item['outputs']);
  if (info?.dynamicOutputs && item['outputs'] !== undefined && Number.isFinite(own)) return Math.max(0, Math.floor(own));
  if (info) return info.outputs;
  return wiresOf(item).length;
}

export function inputCountOf(item: FlowItem, lookup?: NodeTypeLookup): number {
  if (item.type.startsWith('subflow:')) return 1;
  if (item.type === 'link in') return 0;
  return lookup?.(item.type)?.inputs ?? 1;
}

/** What the canvas shows on a node: its name, else the type's label, else the type. Always plain text. */
export function labelOf(item: FlowItem, lookup?: NodeTypeLookup, doc?: EditorDocument): string {
  const name = item['name'];
  if (typeof name === 'string' && name !== '') return name;
  if (item.type === 'comment' && typeof item['info'] === 'string' && item['info'] !== '') return item.type;
  if (item.type.startsWith('subflow:') && doc) {
    const template = doc.find((i) => i.id === item.type.slice('subflow:'.length));
    if (template && typeof template['name'] === 'string') return template['name'];
  }
  if (item.type === 'tab') return typeof item['label'] === 'string' ? item['label'] : 'Flow';
  return lookup?.(item.type)?.editor.label || item.type;
}

/** The defaults a new node of this type gets (from the schema's `default`s). */
export function defaultsOf(info: NodeTypeInfo | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(info?.schema.properties ?? {})) {
    if (schema.default !== undefined) out[key] = structuredClone(schema.default);
  }
  return out;
}
