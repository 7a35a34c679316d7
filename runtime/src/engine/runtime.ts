import { validateFlowDocument, diffFlows, SUBFLOW_INSTANCE_PREFIX, type FlowDocument, type FlowProblem, type FlowItem } from '@loopedge/flows';
import type { AnyNodeTypeDefinition } from '../node-api/definition.js';
import type { FlowMessage } from '../node-api/message.js';
import type { Logger } from '../node-api/logger.js';
import { silentLogger } from '../node-api/logger.js';
import { newMessageId } from '../node-api/message-tools.js';
import { RuntimeEvents, type DeployType } from '../events/runtime-events.js';
import { ContextManager } from '../context/context-manager.js';
import type { ContextStorageConfig } from '../context/context-store.js';
import { ProcessEnv } from '../env/flow-env.js';
import { checkNodeConfig, outputCountOf, withDefaults } from '../validation/node-config.js';
import { DeliveryScheduler } from './scheduler.js';
import { compileFlows, type CompiledFlows } from './flow-compiler.js';
import { planRestart } from './deploy-plan.js';
import type { RuntimeHooks } from './engine-services.js';
import type { HostServices } from '../node-api/host-services.js';
import type { RuntimeNode, NodeCounters } from './runtime-node.js';
import { NodeSet } from './node-set.js';
import { SandboxSupervisor, type SandboxSupervisorOptions } from '../sandbox/host/sandbox-supervisor.js';

export interface RuntimeOptions {
  nodeTypes: readonly AnyNodeTypeDefinition[];
  logger?: Logger;
  /** Context stores; defaults to one memory store. */
  contextStorage?: ContextStorageConfig;
  /** Environment seen by `env.get` and `${VAR}` properties; defaults to process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Settings visible to nodes (`node.settings`). */
  settings?: Readonly<Record<string, unknown>>;
  /** Where nodes' credentials come from (the server's encrypted store); none when absent. */
  credentials?: CredentialSource;
  /** Services from outside the engine (HTTP endpoints, alerts...): `node.host` in NodeApi. */
  host?: HostServices;
  /** How long a node's close() may take before the runtime moves on (Node-RED: 15 s). */
  closeTimeoutMs?: number;
  /**
   * The sandbox process for function nodes: options for this runtime's own
   * (started on the first function node, stopped with the runtime), or a
   * supervisor shared by several runtimes (tests), which its owner stops.
   */
  sandbox?: SandboxSupervisor | SandboxSupervisorOptions;
}

/** A service the engine needs from outside: each node's decrypted credentials, by node id. */
export interface CredentialSource {
  get(nodeId: string): Readonly<Record<string, string>>;
}

export interface DeployOptions {
  type?: DeployType;
}

export interface DeployResult {
  ok: boolean;
  revision: string;
  type: DeployType;
  /** Validation problems: nothing was touched. */
  problems: FlowProblem[];
  /** Why a valid flow set failed to start (the previous flows were restored). */
  error?: string;
  failedNode?: string;
  started: number;
  stopped: number;
  durationMs: number;
}

export interface NodeCounterSnapshot extends NodeCounters {
  id: string;
  type: string;
  z: string;
  name: string;
  queueDepth: number;
}

/**
 * The flow engine: validates, deploys (full / changed flows / changed nodes,
 * atomically), delivers messages and publishes runtime events. It knows
 * nothing of HTTP, users or the editor.
 */
export class Runtime {
  readonly events = new RuntimeEvents();
  readonly hooks: RuntimeHooks = {};
  readonly context: ContextManager;
  readonly logger: Logger;
  readonly #types = new Map<string, AnyNodeTypeDefinition>();
  readonly #scheduler = new DeliveryScheduler();
  readonly #nodes: NodeSet;
  #current: { doc: FlowDocument; compiled: CompiledFlows } | undefined;
  #revision = 0;
  #queue: Promise<unknown> = Promise.resolve();
  #stopped = false;
  #sandbox: SandboxSupervisor | undefined;
  readonly #ownsSandbox: boolean;

  constructor(readonly options: RuntimeOptions) {
    for (const definition of options.nodeTypes) this.#types.set(definition.type, definition);
    this.logger = options.logger ?? silentLogger;
    this.context = new ContextManager(options.contextStorage);
    this.#ownsSandbox = !(options.sandbox instanceof SandboxSupervisor);
    if (options.sandbox instanceof SandboxSupervisor) this.#sandbox = options.sandbox;
    this.#nodes = new NodeSet({
      scheduler: this.#scheduler,
      hooks: this.hooks,
      events: this.events,
      logger: this.logger,
      context: this.context,
      processEnv: new ProcessEnv(options.env ?? process.env),
      settings: Object.freeze({ ...(options.settings ?? {}) }),
      types: this.#types,
      closeTimeoutMs: options.closeTimeoutMs ?? 15_000,
      credentials: options.credentials,
      host: Object.freeze({ ...(options.host ?? {}) }),
      sandbox: () => this.sandbox,
    });
  }

  /** The supervisor of the sandbox process (created on first use; the process starts with the first function node). */
  get sandbox(): SandboxSupervisor {
    this.#sandbox ??= new SandboxSupervisor({ logger: this.logger, ...(this.options.sandbox as SandboxSupervisorOptions | undefined) });
    return this.#sandbox;
  }

  get revision(): string {
    return String(this.#revision);
  }

  /** The deployed flow document (a copy is not made: treat it as read only). */
  get flows(): FlowDocument {
    return this.#current?.doc ?? [];
  }

  get nodeTypes(): readonly AnyNodeTypeDefinition[] {
    return [...this.#types.values()];
  }

  /** Every problem with a flow document: structure, unknown types, each node's config. */
  validate(input: unknown): FlowProblem[] {
    const structural = this.#validateStructure(input);
    return structural.ok ? this.#checkConfigs(structural.flows, undefined) : structural.problems;
  }

  #validateStructure(input: unknown): ReturnType<typeof validateFlowDocument> {
    const subflowOutputs = new Map<string, number>();
    if (Array.isArray(input)) {
      for (const item of input as FlowItem[]) {
        if (item && typeof item === 'object' && item.type === 'subflow' && typeof item.id === 'string') {
          subflowOutputs.set(item.id, Array.isArray(item.out) ? item.out.length : 0);
        }
      }
    }
    const result = validateFlowDocument(input, {
      isConfigType: (type: string) => this.#types.get(type)?.configNode === true,
      isKnownType: (type) => this.#types.has(type) || type.startsWith(SUBFLOW_INSTANCE_PREFIX),
      outputCount: (node) => {
        if (node.type.startsWith(SUBFLOW_INSTANCE_PREFIX)) return subflowOutputs.get(node.type.slice(SUBFLOW_INSTANCE_PREFIX.length));
        const definition = this.#types.get(node.type);
        if (!definition) return undefined;
        return typeof definition.outputs === 'number' ? definition.outputs : outputCountOf(definition, withDefaults(definition, node));
      },
    });
    return result;
  }

  /**
   * Check each node's config against its type's schema. With `only` given (the
   * nodes a partial deploy adds or changes), the rest are skipped: they passed
   * when they were deployed, and a one-node change to a 10,000-node flow should
   * not re-check 9,999 nodes.
   */
  #checkConfigs(flows: FlowDocument, only: ReadonlySet<string> | undefined): FlowProblem[] {
    const problems: FlowProblem[] = [];
    for (const item of flows) {
      if (item.d === true || (only !== undefined && !only.has(item.id))) continue;
      const definition = this.#types.get(item.type);
      if (definition) problems.push(...checkNodeConfig(definition, item));
    }
    return problems;
  }

  /** Deploys are serialized: one at a time, in the order they were asked for. */
  deploy(input: unknown, options: DeployOptions = {}): Promise<DeployResult> {
    const run = this.#queue.then(() => this.#deploy(input, options.type ?? 'full'));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #deploy(input: unknown, type: DeployType): Promise<DeployResult> {
    const started = performance.now();
    const finish = (result: Omit<DeployResult, 'durationMs' | 'revision' | 'type'>): DeployResult => {
      const full: DeployResult = { ...result, type, revision: this.revision, durationMs: performance.now() - started };
      this.events.emit('deploy', {
        revision: full.revision,
        type,
        ok: full.ok,
        started: full.started,
        stopped: full.stopped,
        durationMs: full.durationMs,
        ...(full.problems.length ? { problems: full.problems } : {}),
        ...(full.error ? { error: full.error } : {}),
      });
      return full;
    };
    if (this.#stopped) return finish({ ok: false, problems: [], error: 'The runtime is stopped', started: 0, stopped: 0 });
    const structural = this.#validateStructure(input);
    if (!structural.ok) return finish({ ok: false, problems: structural.problems, started: 0, stopped: 0 });
    // The runtime keeps the document it is given (no copy: copying a 10,000-node
    // document costs more than the rest of a one-node deploy); callers hand over
    // a freshly parsed document and do not change it afterwards.
    const doc = structural.flows;
    const diff = this.#current ? diffFlows(this.#current.doc, doc) : undefined;
    const problems = this.#checkConfigs(doc, diff ? new Set([...diff.added, ...diff.changed]) : undefined);
    if (problems.length > 0) return finish({ ok: false, problems, started: 0, stopped: 0 });

    const compiled = compileFlows(doc, (t) => this.#types.get(t)?.configNode === true);
    const plan = planRestart(type, this.#current ? { ...this.#current, diff: diff! } : undefined, { doc, compiled });
    const outcome = await this.#nodes.swap(this.#current?.compiled, compiled, plan);
    if (!outcome.ok) {
      this.logger.error({ node: outcome.failedNode, err: outcome.error }, 'Deploy failed; previous flows restored');
      return finish({ ok: false, problems: [], error: outcome.error, ...(outcome.failedNode ? { failedNode: outcome.failedNode } : {}), started: 0, stopped: 0 });
    }
    this.#current = { doc, compiled };
    this.#revision++;
    this.logger.info({ type, started: plan.start.size, stopped: plan.stop.size }, 'Flows deployed');
    return finish({ ok: true, problems: [], started: plan.start.size, stopped: plan.stop.size });
  }

  /** Deliver a message to a node's input, as if a wire brought it. False if no such node runs. */
  receive(nodeId: string, msg: Partial<FlowMessage>): boolean {
    const node = this.#nodes.get(nodeId);
    if (!node || node.closed) return false;
    const message = msg as FlowMessage;
    if (!message._msgid) message._msgid = newMessageId();
    node.enqueue(message);
    return true;
  }

  /** Running node by runtime id (subflow internals: `<instance>-<node>`). */
  node(nodeId: string): RuntimeNode | undefined {
    return this.#nodes.get(nodeId);
  }

  nodeCounters(): NodeCounterSnapshot[] {
    return this.#nodes.all().map((node) => ({
      id: node.id,
      type: node.type,
      z: node.z,
      name: node.name,
      queueDepth: node.queued,
      ...node.counters,
      processingHistogram: [...node.counters.processingHistogram],
    }));
  }

  /** Messages waiting in the delivery queue. */
  get pendingMessages(): number {
    return this.#scheduler.pending;
  }

  /** Close every node gracefully (each bounded by the close timeout), then the context stores. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await this.#queue;
    await this.#nodes.closeAll();
    this.#scheduler.clear();
    if (this.#ownsSandbox) await this.#sandbox?.stop();
    this.context.close();
  }
}

export function createRuntime(options: RuntimeOptions): Runtime {
  return new Runtime(options);
}
