import type { EnvEntry, FlowDocument, FlowItem, SubflowTemplate } from '@loopedge/flows';
import { SUBFLOW_INSTANCE_PREFIX } from '@loopedge/flows';

/** One node the engine will run, with runtime ids (subflow internals are prefixed). */
export interface NodeSpec {
  id: string;
  /** The id in the document: the template node's id for subflow internals. */
  origin: string;
  type: string;
  /** The node's name exactly as the document has it (undefined when absent, as Node-RED reports it). */
  name: unknown;
  /** Copy of the node's properties; defaults and env substitution are applied at start. */
  config: Record<string, unknown>;
  /** Output wires as runtime ids. */
  wires: string[][];
  scopeId: string;
  /** The tab this node ultimately runs on ('global' for config nodes without a tab). */
  tabId: string;
  /** The top-level document item it comes from: itself, or the outermost subflow instance. */
  topOrigin: string;
  group?: string;
  isConfig: boolean;
  /** For a subflow instance node: its template id. */
  subflowTemplate?: string;
}

export interface ScopeSpec {
  id: string;
  name: string;
  kind: 'tab' | 'subflow' | 'global';
  parentId?: string;
  env: EnvEntry[];
  /** For subflow instances: the runtime id of the instance node. */
  instanceNodeId?: string;
  idPrefix: string;
  groups: Map<string, { id: string; g?: string; name?: string; env?: EnvEntry[] }>;
}

export interface CompiledFlows {
  scopes: Map<string, ScopeSpec>;
  /** Config nodes first, then the rest in document order. */
  nodes: NodeSpec[];
}

export const GLOBAL_SCOPE_ID = 'global';
const MAX_SUBFLOW_DEPTH = 16;

/**
 * Turn a validated flow document into the list of nodes to run: disabled tabs
 * and nodes dropped, subflow instances expanded into their internal nodes (ids
 * `<instance>-<node>` as Node-RED makes them), subflow outputs wired straight
 * to the instance's targets.
 */
export function compileFlows(doc: FlowDocument, isConfigType: (type: string) => boolean): CompiledFlows {
  const tabs = new Map<string, FlowItem>();
  const subflows = new Map<string, SubflowTemplate>();
  const byParent = new Map<string, FlowItem[]>();
  const groupsByParent = new Map<string, FlowItem[]>();
  const globalConfig: FlowItem[] = [];
  for (const item of doc) {
    if (item.type === 'tab') tabs.set(item.id, item);
    else if (item.type === 'subflow') subflows.set(item.id, item as SubflowTemplate);
  }
  for (const item of doc) {
    if (item.type === 'tab' || item.type === 'subflow') continue;
    const z = typeof item.z === 'string' && item.z !== '' ? item.z : undefined;
    if (item.type === 'group') {
      if (z) push(groupsByParent, z, item);
      continue;
    }
    if (z === undefined || (!tabs.has(z) && !subflows.has(z))) {
      if (isConfigType(item.type)) globalConfig.push(item);
      continue;
    }
    push(byParent, z, item);
  }

  const linkWires = linkOutWires(doc);
  const specFor = (item: FlowItem, prefix: string, scopeId: string, tabId: string, topOrigin: string, isConfig: boolean): NodeSpec =>
    makeSpec(item, prefix, scopeId, tabId, topOrigin, isConfig, linkWires.get(item.id));
  const scopes = new Map<string, ScopeSpec>();
  const configSpecs: NodeSpec[] = [];
  const nodeSpecs: NodeSpec[] = [];
  scopes.set(GLOBAL_SCOPE_ID, { id: GLOBAL_SCOPE_ID, name: 'global', kind: 'global', env: [], idPrefix: '', groups: new Map() });
  for (const item of globalConfig) {
    if (item.d === true) continue;
    configSpecs.push(specFor(item, '', GLOBAL_SCOPE_ID, GLOBAL_SCOPE_ID, item.id, true));
  }

  const addScopeNodes = (items: FlowItem[], scope: ScopeSpec, tabId: string, topOrigin: string | undefined, outputs: OutputRewrite | undefined, depth: number): void => {
    for (const item of items) {
      if (item.d === true) continue;
      const top = topOrigin ?? item.id;
      if (item.type.startsWith(SUBFLOW_INSTANCE_PREFIX)) {
        expandInstance(item, scope, tabId, top, outputs, depth);
        continue;
      }
      const config = isConfigType(item.type);
      const spec = specFor(item, scope.idPrefix, scope.id, tabId, top, config);
      if (outputs) outputs.apply(item.id, spec);
      (config ? configSpecs : nodeSpecs).push(spec);
    }
  };

  const expandInstance = (item: FlowItem, parent: ScopeSpec, tabId: string, topOrigin: string, parentOutputs: OutputRewrite | undefined, depth: number): void => {
    const templateId = item.type.slice(SUBFLOW_INSTANCE_PREFIX.length);
    const template = subflows.get(templateId);
    if (!template || depth > MAX_SUBFLOW_DEPTH) return; // validation reports these before we get here
    const runtimeId = parent.idPrefix + item.id;
    const instanceWires = mapWires(item.wires, parent.idPrefix);
    // The instance's own output wires may in turn be subflow outputs of the parent.
    const router = specFor(item, parent.idPrefix, parent.id, tabId, topOrigin, false);
    router.subflowTemplate = templateId;
    const scope: ScopeSpec = {
      id: runtimeId,
      // Node-RED's NR_SUBFLOW_NAME is the instance's own name ("" when unnamed).
      name: typeof item.name === 'string' ? item.name : '',
      kind: 'subflow',
      parentId: parent.id,
      env: mergeEnv(template.env, item.env as EnvEntry[] | undefined),
      instanceNodeId: runtimeId,
      idPrefix: `${runtimeId}-`,
      groups: groupMap(groupsByParent.get(templateId), `${runtimeId}-`),
    };
    scopes.set(scope.id, scope);
    if (parentOutputs) parentOutputs.apply(item.id, { wires: instanceWires } as NodeSpec);
    // Entry: what the instance's input is wired to inside, plus in→out pass-through.
    const entry: string[] = [];
    for (const wire of template.in?.[0]?.wires ?? []) if (wire && typeof wire.id === 'string') entry.push(scope.idPrefix + wire.id);
    (template.out ?? []).forEach((port, index) => {
      for (const wire of port?.wires ?? []) if (wire?.id === templateId) entry.push(...(instanceWires[index] ?? []));
    });
    router.wires = [entry];
    nodeSpecs.push(router);
    const outputs = new OutputRewrite(template, instanceWires);
    addScopeNodes(byParent.get(templateId) ?? [], scope, tabId, topOrigin, outputs, depth + 1);
  };

  for (const tab of tabs.values()) {
    const scope: ScopeSpec = {
      id: tab.id,
      name: stringOr(tab.label, tab.id),
      kind: 'tab',
      env: Array.isArray(tab.env) ? (tab.env as EnvEntry[]) : [],
      idPrefix: '',
      groups: groupMap(groupsByParent.get(tab.id), ''),
    };
    scopes.set(tab.id, scope);
    if (tab.disabled === true) continue;
    addScopeNodes(byParent.get(tab.id) ?? [], scope, tab.id, undefined, undefined, 0);
  }
  return { scopes, nodes: [...configSpecs, ...nodeSpecs] };
}

/** Appends a subflow instance's output targets to the internal nodes wired to the subflow's outputs. */
class OutputRewrite {
  readonly #byNode = new Map<string, Array<{ port: number; targets: string[] }>>();

  constructor(template: SubflowTemplate, instanceWires: string[][]) {
    (template.out ?? []).forEach((port, index) => {
      for (const wire of port?.wires ?? []) {
        if (!wire || typeof wire.id !== 'string' || wire.id === template.id) continue;
        const list = this.#byNode.get(wire.id) ?? [];
        list.push({ port: typeof wire.port === 'number' ? wire.port : 0, targets: instanceWires[index] ?? [] });
        this.#byNode.set(wire.id, list);
      }
    });
  }

  apply(nodeId: string, spec: Pick<NodeSpec, 'wires'>): void {
    for (const { port, targets } of this.#byNode.get(nodeId) ?? []) {
      while (spec.wires.length <= port) spec.wires.push([]);
      spec.wires[port] = [...spec.wires[port]!, ...targets];
    }
  }
}

/**
 * Node-RED turns a link out node's `links` (and every link in's `links` that
 * names it) into ordinary wires, so linked messages follow the usual delivery
 * and cloning rules. We do the same.
 */
function linkOutWires(doc: FlowDocument): Map<string, string[][]> {
  const targets = new Map<string, Set<string>>();
  const add = (from: string, to: unknown): void => {
    if (typeof to !== 'string') return;
    const set = targets.get(from) ?? new Set<string>();
    set.add(to);
    targets.set(from, set);
  };
  for (const item of doc) {
    if (!Array.isArray(item.links)) continue;
    if (item.type === 'link out' && item.mode !== 'return') for (const id of item.links) add(item.id, id);
    else if (item.type === 'link in') for (const id of item.links) add(String(id), item.id);
  }
  const wires = new Map<string, string[][]>();
  for (const item of doc) {
    if (item.type === 'link out' && item.mode !== 'return') wires.set(item.id, [[...(targets.get(item.id) ?? [])]]);
  }
  return wires;
}

function makeSpec(item: FlowItem, prefix: string, scopeId: string, tabId: string, topOrigin: string, isConfig: boolean, wiresOverride?: string[][]): NodeSpec {
  // Not copied here: the runtime copies a node's config when it starts the node,
  // and most nodes of a large flow are not restarted by a partial deploy.
  const config = item as Record<string, unknown>;
  return {
    id: prefix + item.id,
    origin: item.id,
    type: item.type,
    name: item.name,
    config,
    wires: mapWires(wiresOverride ?? item.wires, prefix),
    scopeId,
    tabId,
    topOrigin,
    ...(typeof item.g === 'string' ? { group: prefix + item.g } : {}),
    isConfig,
  };
}

function mapWires(wires: unknown, prefix: string): string[][] {
  if (!Array.isArray(wires)) return [];
  return wires.map((port) => (Array.isArray(port) ? port.filter((id): id is string => typeof id === 'string').map((id) => prefix + id) : []));
}

function mergeEnv(template: EnvEntry[] | undefined, instance: EnvEntry[] | undefined): EnvEntry[] {
  const merged = new Map<string, EnvEntry>();
  for (const entry of Array.isArray(template) ? template : []) if (entry?.name) merged.set(entry.name, entry);
  for (const entry of Array.isArray(instance) ? instance : []) if (entry?.name) merged.set(entry.name, entry);
  return [...merged.values()];
}

function groupMap(groups: FlowItem[] | undefined, prefix: string): ScopeSpec['groups'] {
  const map: ScopeSpec['groups'] = new Map();
  for (const group of groups ?? []) {
    map.set(prefix + group.id, {
      id: prefix + group.id,
      ...(typeof group.g === 'string' ? { g: prefix + group.g } : {}),
      ...(typeof group.name === 'string' ? { name: group.name } : {}),
      ...(Array.isArray(group.env) ? { env: group.env as EnvEntry[] } : {}),
    });
  }
  return map;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}
