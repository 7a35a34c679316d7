import type { AnyNodeTypeDefinition } from '../node-api/definition.js';
import type { FlowMessage } from '../node-api/message.js';
import type { Logger } from '../node-api/logger.js';
import type { LinkApi, NodeApi } from '../node-api/node-api.js';
import type { NodeSandbox } from '../node-api/sandbox.js';
import { createNodeSandbox } from '../sandbox/host/node-sandbox.js';
import type { SandboxSupervisor } from '../sandbox/host/sandbox-supervisor.js';
import type { NodeStatus } from '../node-api/status.js';
import type { RuntimeEvents } from '../events/runtime-events.js';
import { GLOBAL_SCOPE, nodeScopeKey, type ContextManager } from '../context/context-manager.js';
import { EnvLayer, mapEnvProperties, type EnvSource } from '../env/flow-env.js';
import { withDefaults } from '../validation/node-config.js';
import type { DeliveryScheduler } from './scheduler.js';
import type { CompiledFlows, NodeSpec } from './flow-compiler.js';
import { GLOBAL_SCOPE_ID } from './flow-compiler.js';
import type { RestartPlan } from './deploy-plan.js';
import type { EngineServices, RuntimeHooks } from './engine-services.js';
import { FlowScope, errorText } from './flow-scope.js';
import { RuntimeNode } from './runtime-node.js';
import { createNodeFacade, type FacadeServices } from './node-facade.js';
import type { HostServices } from '../node-api/host-services.js';
import { NodeEnv } from './node-env.js';

export interface NodeSetDependencies {
  scheduler: DeliveryScheduler;
  hooks: RuntimeHooks;
  events: RuntimeEvents;
  logger: Logger;
  context: ContextManager;
  processEnv: EnvSource;
  settings: Readonly<Record<string, unknown>>;
  host: HostServices;
  types: ReadonlyMap<string, AnyNodeTypeDefinition>;
  closeTimeoutMs: number;
  credentials: { get(nodeId: string): Readonly<Record<string, string>> } | undefined;
  /** The sandbox process for user code; started on the first function node. */
  sandbox: () => SandboxSupervisor;
}

export type SwapOutcome = { ok: true } | { ok: false; error: string; failedNode?: string };

/**
 * The running nodes and their flows. `swap` applies a restart plan atomically:
 * deliveries pause, changed nodes close, new ones start; if any fails to start,
 * the new ones close again and the previous nodes are restarted as they were.
 */
export class NodeSet implements EngineServices, FacadeServices {
  readonly #nodes = new Map<string, RuntimeNode>();
  #scopes = new Map<string, FlowScope>();
  readonly scheduler: DeliveryScheduler;
  readonly hooks: RuntimeHooks;
  readonly logger: Logger;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly host: HostServices;

  constructor(readonly deps: NodeSetDependencies) {
    this.scheduler = deps.scheduler;
    this.hooks = deps.hooks;
    this.logger = deps.logger;
    this.settings = deps.settings;
    this.host = deps.host;
  }

  get(id: string): RuntimeNode | undefined {
    return this.#nodes.get(id);
  }

  all(): RuntimeNode[] {
    return [...this.#nodes.values()];
  }

  async swap(previous: CompiledFlows | undefined, next: CompiledFlows, plan: RestartPlan): Promise<SwapOutcome> {
    this.scheduler.pause();
    try {
      const stopping = [...plan.stop].map((id) => this.#nodes.get(id)).filter((node): node is RuntimeNode => node !== undefined);
      const nextIds = new Set(next.nodes.map((spec) => spec.id));
      await Promise.all(stopping.map((node) => node.close(!nextIds.has(node.id), this.deps.closeTimeoutMs)));
      for (const node of stopping) this.#nodes.delete(node.id);

      const outcome = await this.#apply(next, plan.start);
      if (outcome.ok) {
        this.deps.context.clean(this.#activeContextScopes());
        return outcome;
      }
      if (previous) {
        const restored = await this.#apply(previous, new Set(stopping.map((node) => node.id)));
        if (!restored.ok) this.logger.error({ err: restored.error, node: restored.failedNode }, 'Restoring the previous flows failed too');
      }
      return outcome;
    } finally {
      this.scheduler.resume();
    }
  }

  /** Start the given specs of a compiled flow set, keeping every other node running. */
  async #apply(compiled: CompiledFlows, startIds: Set<string>): Promise<SwapOutcome> {
    const scopes = this.#buildScopes(compiled);
    const fresh: RuntimeNode[] = [];
    for (const spec of compiled.nodes) {
      const scope = scopes.get(spec.scopeId)!;
      const running = this.#nodes.get(spec.id);
      if (running && !startIds.has(spec.id)) {
        running.scope = scope;
        running.spec.wires = spec.wires;
        continue;
      }
      if (running) this.#nodes.delete(spec.id);
      const node = new RuntimeNode(spec, this.deps.types.get(spec.type), scope, this);
      this.#nodes.set(spec.id, node);
      fresh.push(node);
    }
    const keep = new Set(compiled.nodes.map((spec) => spec.id));
    for (const [id, node] of this.#nodes) if (!keep.has(id)) this.#nodes.delete(node.id);
    this.#scopes = scopes;
    this.#wireAll();
    for (const scope of scopes.values()) if (scope.instanceNode === undefined && scope.kind === 'subflow') scope.instanceNode = this.#nodes.get(scope.id);
    for (const node of fresh) {
      try {
        await this.#start(node);
      } catch (error) {
        await Promise.all(fresh.map((created) => created.close(true, this.deps.closeTimeoutMs)));
        for (const created of fresh) this.#nodes.delete(created.id);
        this.#indexScopes();
        return { ok: false, error: `Node ${node.id} (${node.type}) failed to start: ${errorText(error)}`, failedNode: node.id };
      }
    }
    // As Node-RED: catch, status and complete nodes listen once every node has
    // started, so statuses set while nodes start (debug nodes clear theirs) are not routed.
    this.#indexScopes();
    return { ok: true };
  }

  #buildScopes(compiled: CompiledFlows): Map<string, FlowScope> {
    const scopes = new Map<string, FlowScope>();
    for (const spec of compiled.scopes.values()) {
      const parent = spec.parentId ? scopes.get(spec.parentId) : undefined;
      const parentEnv = parent?.env ?? this.deps.processEnv;
      const env = spec.kind === 'global' ? this.deps.processEnv : new EnvLayer(spec.env, parentEnv);
      const context = spec.kind === 'global' ? this.deps.context.global : this.deps.context.scope(spec.id, parent?.context);
      const groups = new Map<string, { id: string; g?: string; name?: string; env?: EnvSource }>();
      for (const group of spec.groups.values()) {
        groups.set(group.id, { id: group.id, ...(group.g ? { g: group.g } : {}), ...(group.name ? { name: group.name } : {}), ...(group.env ? { env: new EnvLayer(group.env, env) } : {}) });
      }
      scopes.set(spec.id, new FlowScope(spec.id, spec.name, spec.kind, env, context, parent, undefined, spec.idPrefix, groups));
    }
    return scopes;
  }

  #wireAll(): void {
    for (const node of this.#nodes.values()) {
      node.wires = node.spec.wires.map((port) => {
        const targets: RuntimeNode[] = [];
        for (const id of port) {
          const target = this.#nodes.get(id);
          if (target) targets.push(target);
        }
        return targets;
      });
    }
  }

  #indexScopes(): void {
    const byScope = new Map<string, RuntimeNode[]>();
    for (const node of this.#nodes.values()) {
      const list = byScope.get(node.scope.id) ?? [];
      list.push(node);
      byScope.set(node.scope.id, list);
    }
    for (const scope of this.#scopes.values()) scope.index(byScope.get(scope.id) ?? []);
  }

  async #start(node: RuntimeNode): Promise<void> {
    const spec = node.spec;
    const scope = node.scope;
    const group = spec.group ? scope.groups.get(spec.group) : undefined;
    const env = new NodeEnv(builtinEnv(node, scope, group), group?.env ?? scope.env);
    node.context = this.deps.context.nodeContext(spec.origin, scope.context);
    if (spec.subflowTemplate) {
      // A subflow instance only routes its input to the subflow's entry nodes.
      node.setHandlers({ input: (msg, send) => send(msg) });
      return;
    }
    const definition = node.definition;
    if (!definition) throw new Error(`no node type "${spec.type}" is installed`);
    const config = withDefaults(definition, spec.config); // a copy: the document stays untouched
    mapEnvProperties(config, env);
    spec.config = config;
    const credentials = Object.freeze({ ...(this.deps.credentials?.get(spec.origin) ?? {}) });
    const api = createNodeFacade(node, env, this, credentials);
    node.setHandlers(await definition.create(api, spec.config));
  }

  // ---- services for nodes ----

  publishError(node: RuntimeNode, error: unknown, msg: FlowMessage | undefined, handled: boolean): void {
    const message = errorText(error);
    this.logger.error({ node: node.id, type: node.type, msgid: msg?._msgid }, message);
    if (!this.deps.events.has('node-error')) return;
    this.deps.events.emit('node-error', {
      id: node.id,
      z: node.z,
      type: node.type,
      name: node.name,
      message,
      handled,
      ...(error instanceof Error && error.stack ? { stack: error.stack } : {}),
      ...(msg?._msgid ? { msgid: msg._msgid } : {}),
    });
  }

  publishLog(node: RuntimeNode, level: 'trace' | 'debug' | 'info' | 'warn', message: string): void {
    this.logger[level]({ node: node.id, type: node.type }, message);
    if (this.deps.events.has('node-log')) this.deps.events.emit('node-log', { id: node.id, z: node.z, type: node.type, name: node.name, level, message });
  }

  setStatus(node: RuntimeNode, status: NodeStatus): void {
    node.lastStatus = status;
    this.deps.events.emit('node-status', { id: node.id, z: node.z, type: node.type, status });
    if (node.scope.statusNodes.length > 0 || node.scope.parent) node.scope.handleStatus(node, status);
  }

  publishDebug(node: RuntimeNode, event: Parameters<FacadeServices['publishDebug']>[1]): void {
    this.deps.events.emit('debug', { ...event, id: node.id, z: node.z, ...(node.name ? { name: node.name } : {}) });
  }

  getConfigApi(node: RuntimeNode, id: string): unknown {
    const target = this.#nodes.get(node.scope.idPrefix + id) ?? this.#nodes.get(id);
    return target?.handlers.api;
  }

  links(node: RuntimeNode): LinkApi {
    const resolve = (id: string): RuntimeNode | undefined => this.#nodes.get(node.scope.idPrefix + id) ?? this.#nodes.get(id);
    return {
      deliverTo: (id, msg) => {
        const target = resolve(id);
        if (!target || target.closed) return false;
        target.enqueue(msg);
        return true;
      },
      findLinkIn: (idOrName) => {
        const found: string[] = [];
        for (const candidate of this.#nodes.values()) {
          if (candidate.type !== 'link in') continue;
          if (candidate.id === idOrName || candidate.id === node.scope.idPrefix + idOrName || candidate.name === idOrName) found.push(candidate.id);
        }
        return found;
      },
      returnTo: (linkCallId, callId, msg) => {
        const target = this.#nodes.get(linkCallId);
        const api = target?.handlers.api as { returnMessage?: (callId: string, msg: FlowMessage) => void } | undefined;
        if (!target || target.closed || typeof api?.returnMessage !== 'function') return false;
        api.returnMessage(callId, msg);
        return true;
      },
    };
  }

  sandbox(node: RuntimeNode, api: NodeApi): NodeSandbox {
    return createNodeSandbox(this.deps.sandbox, {
      id: node.id,
      name: node.name,
      send: (value) => node.send(value),
      log: (level, text) => this.publishLog(node, level, text),
      status: (status) => this.setStatus(node, status),
      error: (error, msg) => node.reportError(error, msg),
      context: () => node.context,
      env: api.env,
      completeListened: () => node.scope.completeNodes.size > 0 && node.scope.hasCompleteListeners(node.id),
    });
  }

  #activeContextScopes(): Set<string> {
    const active = new Set<string>([GLOBAL_SCOPE]);
    for (const scope of this.#scopes.keys()) active.add(scope);
    for (const node of this.#nodes.values()) active.add(nodeScopeKey(node.spec.origin, node.scope.id));
    return active;
  }

  async closeAll(): Promise<void> {
    this.scheduler.pause();
    const nodes = [...this.#nodes.values()];
    await Promise.all(nodes.map((node) => node.close(false, this.deps.closeTimeoutMs)));
    this.#nodes.clear();
  }
}

function builtinEnv(node: RuntimeNode, scope: FlowScope, group: { id: string; name?: string } | undefined): Record<string, string> {
  const builtins: Record<string, string> = { NR_NODE_ID: node.id, NR_NODE_NAME: node.name, NR_NODE_PATH: `${scope.id}/${node.id}` };
  let tab: FlowScope | undefined = scope;
  while (tab && tab.kind === 'subflow') {
    if (!builtins.NR_SUBFLOW_ID) {
      builtins.NR_SUBFLOW_ID = tab.id;
      builtins.NR_SUBFLOW_NAME = tab.name;
    }
    tab = tab.parent;
  }
  if (tab && tab.kind === 'tab') {
    builtins.NR_FLOW_ID = tab.id;
    builtins.NR_FLOW_NAME = tab.name;
  }
  if (group) {
    builtins.NR_GROUP_ID = group.id;
    if (group.name) builtins.NR_GROUP_NAME = group.name;
  }
  return builtins;
}

export { GLOBAL_SCOPE_ID };
