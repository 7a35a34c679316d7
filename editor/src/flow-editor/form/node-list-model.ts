import type { FlowItem } from '@loopedge/flows';

/**
 * Scopes of catch, status and complete nodes (`null`: every node on the tab,
 * `"group"`: the node's group, or a list of node ids) and lists of config nodes
 * (the alert node's notifiers), in Node-RED's shapes.
 */
export type ScopeMode = 'all' | 'group' | 'selected';

export function scopeModeOf(scope: unknown): ScopeMode {
  if (scope === 'group') return 'group';
  return Array.isArray(scope) ? 'selected' : 'all';
}

export function scopeIdsOf(scope: unknown): string[] {
  return Array.isArray(scope) ? scope.filter((id): id is string => typeof id === 'string') : [];
}

/** The stored scope for a mode (a node type whose scope is always a list, like complete, gets a list). */
export function scopeFor(mode: ScopeMode, ids: readonly string[], listOnly: boolean): null | 'group' | string[] {
  if (listOnly || mode === 'selected') return [...ids];
  return mode === 'group' ? 'group' : null;
}

/** Add or remove one id, keeping the order nodes were picked in. */
export function toggleId(ids: readonly string[], id: string, on: boolean): string[] {
  const without = ids.filter((x) => x !== id);
  return on ? [...without, id] : without;
}

/** Types that have no place in a scope: tabs, config nodes, groups, comments and the node itself. */
const NOT_SCOPABLE = new Set(['tab', 'group', 'comment', 'subflow']);

/** The nodes a scope may name: those on the same tab (or subflow), other than the node itself. */
export function scopeCandidates(doc: readonly FlowItem[], self: FlowItem, isConfig: (item: FlowItem) => boolean): FlowItem[] {
  return doc.filter((i) => i.id !== self.id && i.z === self.z && i.z !== undefined && i.z !== '' && !NOT_SCOPABLE.has(i.type) && !isConfig(i));
}

/** A label a person can tell nodes apart by: the name, else type and id. */
export function nodeLabel(item: FlowItem): string {
  const name = item['name'];
  return typeof name === 'string' && name ? `${name} (${item.type})` : `${item.type} ${item.id}`;
}

/** Families a `config-node-list:<family>` hint may name, and their config node types. */
const CONFIG_FAMILIES: Record<string, readonly string[]> = {
  notifier: ['notify-email', 'notify-webhook', 'notify-mqtt'],
};

/**
 * Config node types a `config-node-list:<hint>` accepts: a comma-separated list
 * of types, a family above, or one type; plus `<hint>-*` types already in the
 * document. Types the server does not know (lookup fails) are dropped.
 */
export function configFamilyTypes(hint: string, docTypes: readonly string[], known: (type: string) => boolean): string[] {
  const listed = hint.includes(',') ? hint.split(',').map((t) => t.trim()) : (CONFIG_FAMILIES[hint] ?? [hint]);
  const prefixed = docTypes.filter((t) => t.startsWith(`${hint}-`));
  return [...new Set([...listed, ...prefixed])].filter((t) => t !== '' && known(t));
}

export function idListOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : [];
}
