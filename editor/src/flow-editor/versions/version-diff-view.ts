// What a person reads in the Versions panel: the difference between two flow
// sets as lists of nodes (name, type, tab) and, for a changed node, which of
// its properties went from what to what. Pure: no DOM, unit-tested with node:test.
import { diffFlows, type FlowItem } from '@loopedge/flows';

/** One entry of GET /api/flow-versions. */
export interface VersionInfo {
  version: number;
  hash: string;
  signed: boolean;
  signer?: { kid: string; name: string };
  user?: string;
  time: string;
  type: string;
  rollbackOf?: number;
  summary: { added: number; changed: number; removed: number; moved: number };
}

export interface PropertyChange {
  property: string;
  /** Display text of the value; `undefined` when the property was absent on that side. */
  before: string | undefined;
  after: string | undefined;
}

export interface DiffNodeView {
  id: string;
  type: string;
  /** name, or a tab's label; empty when the node has neither */
  name: string;
  /** The label of the tab or subflow the node sits on; empty for config nodes and tabs. */
  tab: string;
  /** changed: its configuration; rewired: only wires; moved: only position; dependency: something it uses changed. */
  change?: 'changed' | 'rewired' | 'moved' | 'dependency';
  properties: PropertyChange[];
}

export interface VersionDiffView {
  added: DiffNodeView[];
  changed: DiffNodeView[];
  removed: DiffNodeView[];
}

/** Values longer than this are cut: a function's code is still recognisable, the panel stays readable. */
export const VALUE_TEXT_CAP = 240;

/** A property value as one line of text: strings quoted (so "" and a missing value differ), the rest as JSON. */
export function valueText(value: unknown): string {
  const text = value === undefined ? 'undefined' : (JSON.stringify(value) ?? String(value));
  return text.length > VALUE_TEXT_CAP ? `${text.slice(0, VALUE_TEXT_CAP - 1)}…` : text;
}

/** Every property whose value differs (`id` never does), in a stable order: own properties first, layout last. */
export function propertyChanges(before: Readonly<FlowItem>, after: Readonly<FlowItem>): PropertyChange[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((key) => key !== 'id');
  const layout = new Set(['x', 'y', 'w', 'h', 'l']);
  keys.sort((a, b) => Number(layout.has(a)) - Number(layout.has(b)));
  const changes: PropertyChange[] = [];
  for (const key of keys) {
    const old = before[key];
    const now = after[key];
    if (sameJson(old, now)) continue;
    changes.push({ property: key, before: old === undefined ? undefined : valueText(old), after: now === undefined ? undefined : valueText(now) });
  }
  return changes;
}

/** What changes from the flow set `from` to the flow set `to`, each list in document order. */
export function describeVersionDiff(from: readonly FlowItem[], to: readonly FlowItem[]): VersionDiffView {
  const diff = diffFlows([...from], [...to]);
  const before = new Map(from.map((item) => [item.id, item] as const));
  const after = new Map(to.map((item) => [item.id, item] as const));
  const tabLabel = (z: unknown): string => {
    if (typeof z !== 'string' || z === '') return '';
    const container = after.get(z) ?? before.get(z);
    if (!container) return z;
    return nameOf(container) || container.id;
  };
  const view = (item: Readonly<FlowItem>, change?: DiffNodeView['change'], properties: PropertyChange[] = []): DiffNodeView => ({
    id: item.id,
    type: item.type,
    name: nameOf(item),
    tab: tabLabel(item['z']),
    ...(change ? { change } : {}),
    properties,
  });
  const kindOf = new Map<string, 'changed' | 'rewired' | 'moved'>();
  for (const id of diff.changed) kindOf.set(id, 'changed');
  for (const id of diff.rewired) kindOf.set(id, 'rewired');
  for (const id of diff.moved) kindOf.set(id, 'moved');
  const changed: DiffNodeView[] = [];
  for (const [id, item] of after) {
    const kind = kindOf.get(id);
    const old = before.get(id);
    if (kind === undefined || old === undefined) continue;
    const properties = propertyChanges(old, item);
    // diffFlows also marks nodes whose config node or tab changed; they have no property of their own to show.
    changed.push(view(item, properties.length === 0 ? 'dependency' : kind, properties));
  }
  return {
    added: diff.added.flatMap((id) => (after.has(id) ? [view(after.get(id)!)] : [])),
    changed,
    removed: diff.removed.flatMap((id) => (before.has(id) ? [view(before.get(id)!)] : [])),
  };
}

/** "+2 ~1 -0" (and "moved 3" when only positions changed somewhere): the list's one-glance summary. */
export function summaryText(summary: VersionInfo['summary']): string {
  const base = `+${summary.added} ~${summary.changed} -${summary.removed}`;
  return summary.moved > 0 ? `${base} (moved ${summary.moved})` : base;
}

/** One line per node, for the rollback confirmation: "added: inject "tick" on Flow 1". */
export function diffHeadline(diff: VersionDiffView): string {
  const count = diff.added.length + diff.changed.length + diff.removed.length;
  if (count === 0) return 'No node changes: the flows are the same as what runs now.';
  const parts = [`${diff.added.length} added`, `${diff.changed.length} changed`, `${diff.removed.length} removed`];
  return `${parts.join(', ')}.`;
}

/** "inject "tick" (n1) on Flow 1": how a node is named in the diff. */
export function nodeTitle(node: DiffNodeView): string {
  const named = node.name ? `${node.type} "${node.name}"` : node.type;
  return node.tab ? `${named} (${node.id}) on ${node.tab}` : `${named} (${node.id})`;
}

function nameOf(item: Readonly<FlowItem>): string {
  const name = item['name'];
  if (typeof name === 'string' && name !== '') return name;
  const label = item['label'];
  return typeof label === 'string' ? label : '';
}

/** Deep equality of JSON values (flow items are JSON), key order ignored. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((value, index) => sameJson(value, b[index]));
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  return keys.every((key) => Object.prototype.hasOwnProperty.call(right, key) && sameJson(left[key], right[key]));
}
