import type { FlowItem } from '@loopedge/flows';
import { defaultsOf, newItemId, wiresOf, type EditorDocument, type NodeTypeInfo } from './document.js';

/**
 * Pure edits: each takes a document and returns the next one, copying only the
 * items it changes. The canvas, the keyboard shortcuts and the tests all go
 * through these, so undo/redo and changed markers never depend on the UI.
 */

export const GRID = 20;

export function snap(value: number, grid = GRID): number {
  return Math.round(value / grid) * grid;
}

function replaceItems(doc: EditorDocument, updates: ReadonlyMap<string, FlowItem>): EditorDocument {
  if (updates.size === 0) return doc;
  return doc.map((item) => updates.get(item.id) ?? item);
}

export interface NewNode {
  type: string;
  z: string;
  x: number;
  y: number;
  id?: string;
  info?: NodeTypeInfo;
  /** Extra properties (e.g. a name), over the type's defaults. */
  props?: Record<string, unknown>;
}

export function addNode(doc: EditorDocument, spec: NewNode): { doc: EditorDocument; id: string } {
  const id = spec.id ?? newItemId();
  const outputs = spec.info?.outputs ?? 1;
  const item: FlowItem = {
    id,
    type: spec.type,
    z: spec.z,
    ...defaultsOf(spec.info),
    ...spec.props,
    x: spec.x,
    y: spec.y,
    wires: Array.from({ length: outputs }, () => []),
  };
  if (spec.info?.configNode) {
    delete item['x'];
    delete item['y'];
    delete item['wires'];
    item['z'] = '';
  }
  return { doc: [...doc, item], id };
}

export function moveNodes(doc: EditorDocument, moves: ReadonlyMap<string, { x: number; y: number }>): EditorDocument {
  const updates = new Map<string, FlowItem>();
  for (const item of doc) {
    const to = moves.get(item.id);
    if (to && (item['x'] !== to.x || item['y'] !== to.y)) updates.set(item.id, { ...item, x: to.x, y: to.y });
  }
  return replaceItems(doc, updates);
}

export function updateNode(doc: EditorDocument, id: string, props: Record<string, unknown>): EditorDocument {
  const item = doc.find((i) => i.id === id);
  if (!item) return doc;
  const next: FlowItem = { ...item, ...props, id: item.id };
  for (const [key, value] of Object.entries(props)) if (value === undefined) delete next[key];
  return replaceItems(doc, new Map([[id, next]]));
}

/** Sets the number of output ports, dropping wires of ports that no longer exist. */
export function setOutputCount(doc: EditorDocument, id: string, outputs: number): EditorDocument {
  const item = doc.find((i) => i.id === id);
  if (!item) return doc;
  const wires = wiresOf(item);
  const next = Array.from({ length: outputs }, (_, port) => wires[port] ?? []);
  return updateNode(doc, id, { wires: next });
}

export interface WireEnd {
  source: string;
  port: number;
  target: string;
}

export function connect(doc: EditorDocument, wire: WireEnd): EditorDocument {
  if (wire.source === wire.target) return doc;
  const item = doc.find((i) => i.id === wire.source);
  if (!item) return doc;
  const wires = wiresOf(item);
  while (wires.length <= wire.port) wires.push([]);
  if (wires[wire.port]!.includes(wire.target)) return doc;
  wires[wire.port] = [...wires[wire.port]!, wire.target];
  return updateNode(doc, wire.source, { wires });
}

export function disconnect(doc: EditorDocument, wire: WireEnd): EditorDocument {
  const item = doc.find((i) => i.id === wire.source);
  if (!item) return doc;
  const wires = wiresOf(item);
  if (!wires[wire.port]?.includes(wire.target)) return doc;
  wires[wire.port] = wires[wire.port]!.filter((t) => t !== wire.target);
  return updateNode(doc, wire.source, { wires });
}

/**
 * Deletes items and everything that only made sense with them: wires into them,
 * link-node references, group memberships, and (for a tab) every node on it.
 */
export function deleteItems(doc: EditorDocument, ids: Iterable<string>): EditorDocument {
  const gone = new Set(ids);
  for (const item of doc) {
    const z = item['z'];
    if (typeof z === 'string' && gone.has(z)) gone.add(item.id);
  }
  // A deleted group's members stay, ungrouped.
  const updates = new Map<string, FlowItem>();
  for (const item of doc) {
    if (gone.has(item.id)) continue;
    let next: FlowItem | undefined;
    const wires = wiresOf(item);
    if (wires.some((port) => port.some((t) => gone.has(t)))) next = { ...item, wires: wires.map((port) => port.filter((t) => !gone.has(t))) };
    const links = item['links'];
    if (Array.isArray(links) && links.some((l) => gone.has(l as string))) next = { ...(next ?? item), links: links.filter((l) => !gone.has(l as string)) };
    const g = item['g'];
    if (typeof g === 'string' && gone.has(g)) {
      next = { ...(next ?? item) };
      delete next['g'];
    }
    const members = item['nodes'];
    if (item.type === 'group' && Array.isArray(members) && members.some((m) => gone.has(m as string))) {
      next = { ...(next ?? item), nodes: members.filter((m) => !gone.has(m as string)) };
    }
    if (next) updates.set(item.id, next);
  }
  return doc.filter((item) => !gone.has(item.id)).map((item) => updates.get(item.id) ?? item);
}

export function addTab(doc: EditorDocument, label?: string, id = newItemId()): { doc: EditorDocument; id: string } {
  const count = doc.filter((i) => i.type === 'tab').length;
  const tab: FlowItem = { id, type: 'tab', label: label ?? `Flow ${count + 1}`, disabled: false, info: '', env: [] };
  // Tabs go after the last tab so the document keeps Node-RED's order (tabs first).
  let at = 0;
  doc.forEach((item, index) => {
    if (item.type === 'tab') at = index + 1;
  });
  return { doc: [...doc.slice(0, at), tab, ...doc.slice(at)], id };
}

/** Moves a tab to position `toIndex` among the tabs. */
export function reorderTab(doc: EditorDocument, tabId: string, toIndex: number): EditorDocument {
  const tabs = doc.filter((i) => i.type === 'tab');
  const moving = tabs.find((t) => t.id === tabId);
  if (!moving) return doc;
  const without = tabs.filter((t) => t.id !== tabId);
  const clamped = Math.max(0, Math.min(toIndex, without.length));
  const ordered = [...without.slice(0, clamped), moving, ...without.slice(clamped)];
  let next = 0;
  return doc.map((item) => (item.type === 'tab' ? ordered[next++]! : item));
}

/** Wraps nodes of one tab in a new group sized around them. */
export function groupNodes(doc: EditorDocument, ids: readonly string[], name = '', id = newItemId()): { doc: EditorDocument; id: string } {
  const members = doc.filter((i) => ids.includes(i.id) && i.type !== 'tab' && typeof i['x'] === 'number');
  if (members.length === 0) return { doc, id };
  const z = members[0]!['z'] as string;
  const xs = members.map((m) => m['x'] as number);
  const ys = members.map((m) => m['y'] as number);
  const x = Math.min(...xs) - 80;
  const y = Math.min(...ys) - 40;
  const group: FlowItem = {
    id,
    type: 'group',
    z,
    name,
    style: { label: true },
    nodes: members.map((m) => m.id),
    x,
    y,
    w: Math.max(...xs) + 80 - x,
    h: Math.max(...ys) + 40 - y,
  };
  const memberIds = new Set(members.map((m) => m.id));
  return { doc: [...doc.map((i) => (memberIds.has(i.id) ? { ...i, g: id } : i)), group], id };
}

export function ungroup(doc: EditorDocument, groupId: string): EditorDocument {
  const group = doc.find((i) => i.id === groupId && i.type === 'group');
  if (!group) return doc;
  return deleteItems(doc, [groupId]);
}
