import type { FlowDocument, FlowItem } from '../types.js';
import { jsonEqual, jsonEqualExcept } from '../canonical/json-equal.js';
import { containerOf, isFlowContainerType, subflowTemplateId } from '../shared/item-kinds.js';

/** What a deploy of `next` over `previous` changes, by item id, each list in document order. */
export interface FlowDiff {
  /** In next only. */
  added: string[];
  /** In previous only. */
  removed: string[];
  /** Configuration other than wires and layout changed, or something it depends on did. */
  changed: string[];
  /** Only wires changed. */
  rewired: string[];
  /** Only position/size (x, y, w, h, l) changed: nothing to do at runtime. */
  moved: string[];
  /** Tabs and subflows holding an added, removed, changed or rewired item, or whose own properties changed. */
  changedFlows: string[];
}

/** Properties that only place an item on the canvas. */
const LAYOUT_KEYS: ReadonlySet<string> = new Set(['x', 'y', 'w', 'h', 'l']);
/** Compared separately: a change only here is a rewire or a move, not a reconfiguration. */
const NOT_CONFIG_KEYS: ReadonlySet<string> = new Set(['wires', ...LAYOUT_KEYS]);
/** Properties that are never references to a config node. */
const NOT_REFERENCE_KEYS: ReadonlySet<string> = new Set(['id', 'type', 'z', 'g', 'wires', 'name', 'info', ...LAYOUT_KEYS]);

type Item = Readonly<FlowItem>;
type ItemChange = 'changed' | 'rewired' | 'moved';

/**
 * Compare two flow documents the way a deploy needs:
 * 1. match items by id: added, removed, and for the rest compare configuration
 *    (canonical JSON without wires and layout), then wires, then layout;
 * 2. spread changes to what depends on them: nodes referencing a changed or removed
 *    item (config nodes, link targets), instances of a subflow whose template or
 *    contents changed, nodes on a changed tab, members of a group whose env changed;
 * 3. list the tabs and subflows touched.
 * Both documents should be valid (see validateFlowDocument); odd items are skipped.
 */
export function diffFlows(previous: FlowDocument, next: FlowDocument): FlowDiff {
  const before = indexById(previous);
  const after = indexById(next);
  const status = new Map<string, ItemChange>();
  const added: string[] = [];
  for (const [id, item] of after) {
    const old = before.get(id);
    if (old === undefined) added.push(id);
    else {
      const change = compareItems(old, item);
      if (change !== undefined) status.set(id, change);
    }
  }
  const removed = [...before.keys()].filter((id) => !after.has(id));

  spreadChanges(before, after, status, added, removed);

  const byKind = (kind: ItemChange): string[] => [...after.keys()].filter((id) => status.get(id) === kind);
  const changed = byKind('changed');
  const rewired = byKind('rewired');
  return {
    added,
    removed,
    changed,
    rewired,
    moved: byKind('moved'),
    changedFlows: touchedFlows(before, after, [...added, ...changed, ...rewired], removed),
  };
}

function compareItems(old: Item, item: Item): ItemChange | undefined {
  if (!jsonEqualExcept(old, item, NOT_CONFIG_KEYS)) return 'changed';
  if (!jsonEqual(old['wires'], item['wires'])) return 'rewired';
  for (const key of LAYOUT_KEYS) if (!jsonEqual(old[key], item[key])) return 'moved';
  return undefined;
}

/** Who depends on whom in `next`, built once so spreading is linear in the document. */
interface Dependents {
  referrers: Map<string, string[]>;
  nodesOnContainer: Map<string, string[]>;
  instancesOfSubflow: Map<string, string[]>;
  groupMembers: Map<string, string[]>;
}

function spreadChanges(
  before: Map<string, Item>,
  after: Map<string, Item>,
  status: Map<string, ItemChange>,
  added: readonly string[],
  removed: readonly string[],
): void {
  const dependents = findDependents(before, after);
  const addedSet = new Set(added);
  const queue: string[] = [...added, ...removed];
  for (const [id, change] of status) if (change !== 'moved') queue.push(id);
  const touchedSubflows = new Set<string>();

  const markChanged = (id: string): void => {
    if (addedSet.has(id) || status.get(id) === 'changed' || !after.has(id)) return;
    status.set(id, 'changed');
    queue.push(id);
  };
  const touchContainer = (containerId: string | undefined): void => {
    if (containerId === undefined || touchedSubflows.has(containerId) || after.get(containerId)?.type !== 'subflow') return;
    touchedSubflows.add(containerId);
    for (const instance of dependents.instancesOfSubflow.get(containerId) ?? []) markChanged(instance);
  };

  // The queue only grows; walking it by position keeps spreading linear.
  for (let position = 0; position < queue.length; position++) {
    const id = queue[position]!;
    const oldItem = before.get(id);
    const newItem = after.get(id);
    touchContainer(newItem === undefined ? undefined : containerOf(newItem));
    touchContainer(oldItem === undefined ? undefined : containerOf(oldItem));
    if (newItem === undefined || status.get(id) === 'changed' || addedSet.has(id)) {
      for (const referrer of dependents.referrers.get(id) ?? []) markChanged(referrer);
    }
    if (newItem === undefined || oldItem === undefined || status.get(id) !== 'changed') continue;
    if (newItem.type === 'tab') for (const node of dependents.nodesOnContainer.get(id) ?? []) markChanged(node);
    if (newItem.type === 'subflow') touchContainer(id);
    if (newItem.type === 'group' && !jsonEqual(oldItem['env'], newItem['env'])) {
      for (const member of dependents.groupMembers.get(id) ?? []) markChanged(member);
    }
  }
}

function findDependents(before: Map<string, Item>, after: Map<string, Item>): Dependents {
  const dependents: Dependents = {
    referrers: new Map(),
    nodesOnContainer: new Map(),
    instancesOfSubflow: new Map(),
    groupMembers: new Map(),
  };
  const isItemId = (value: unknown): value is string => typeof value === 'string' && (after.has(value) || before.has(value));
  for (const [id, item] of after) {
    const containerId = containerOf(item);
    if (containerId !== undefined) append(dependents.nodesOnContainer, containerId, id);
    const templateId = subflowTemplateId(item.type);
    if (templateId !== undefined) append(dependents.instancesOfSubflow, templateId, id);
    const group = item['g'];
    if (typeof group === 'string' && group !== '') append(dependents.groupMembers, group, id);
    for (const key of Object.keys(item)) {
      if (NOT_REFERENCE_KEYS.has(key) || (key === 'nodes' && item.type === 'group')) continue;
      const value = item[key];
      // Node-RED's rule: a top-level string (or list of strings) equal to another item's id is a reference.
      if (isItemId(value) && value !== id) append(dependents.referrers, value, id);
      else if (Array.isArray(value)) {
        for (const element of value) if (isItemId(element) && element !== id) append(dependents.referrers, element, id);
      }
    }
  }
  return dependents;
}

function touchedFlows(before: Map<string, Item>, after: Map<string, Item>, present: readonly string[], removed: readonly string[]): string[] {
  const flows = new Set<string>();
  const isFlow = (id: string | undefined): id is string => {
    if (id === undefined) return false;
    const item = after.get(id) ?? before.get(id);
    return item !== undefined && isFlowContainerType(item.type);
  };
  const add = (item: Item | undefined, id: string): void => {
    if (item === undefined) return;
    if (isFlowContainerType(item.type)) flows.add(id);
    const containerId = containerOf(item);
    if (isFlow(containerId)) flows.add(containerId);
  };
  for (const id of present) {
    add(after.get(id), id);
    add(before.get(id), id);
  }
  for (const id of removed) add(before.get(id), id);
  const order = [...after.keys(), ...[...before.keys()].filter((id) => !after.has(id))];
  return order.filter((id) => flows.has(id));
}

function indexById(doc: FlowDocument): Map<string, Item> {
  const byId = new Map<string, Item>();
  if (!Array.isArray(doc)) return byId;
  for (const item of doc as unknown[]) {
    if (typeof item !== 'object' || item === null) continue;
    const { id, type } = item as Partial<FlowItem>;
    if (typeof id === 'string' && typeof type === 'string' && !byId.has(id)) byId.set(id, item as Item);
  }
  return byId;
}

function append(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
