import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlowDocument } from '@loopedge/flows';
import type { PeerMessage } from './flow-peer.js';

/**
 * The slice of Node-RED 4.1's embedding API (`require('node-red')`) the peer
 * uses. Node-RED ships no type declarations; these name only what we call.
 */
export interface NodeRedNode {
  id: string;
  type: string;
  receive(msg?: PeerMessage): void;
  context(): { global: NodeRedContextStore };
}

interface NodeRedContextStore {
  keys(): string[];
  set(key: string, value: unknown): void;
}

/** What the `onReceive` hook is called with just before a node's input handler runs. */
interface ReceiveEvent {
  msg: PeerMessage;
  destination: { id: string };
}

/** A line Node-RED logs; `level` 20 is error, 30 warn. */
export interface NodeRedLogLine {
  level: number;
  id?: string;
  msg?: unknown;
}

interface NodeRedModule {
  init(settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly nodes: { getNode(id: string): NodeRedNode | null };
  readonly hooks: {
    add(id: string, hook: (event: ReceiveEvent) => void): void;
    remove(id: string): void;
  };
  readonly events: {
    on(event: string, listener: (payload: RuntimeEvent) => void): void;
    off(event: string, listener: (payload: RuntimeEvent) => void): void;
  };
  readonly runtime: {
    flows: {
      setFlows(opts: { flows: { flows: FlowDocument }; deploymentType: 'full' }): Promise<{ rev: string }>;
    };
  };
  readonly util: { cloneMessage(msg: PeerMessage): PeerMessage };
}

interface RuntimeEvent {
  id?: string;
  /** On 'flows:started': the flows now running and their revision. */
  config?: { rev?: string };
  payload?: { error?: string; types?: string[]; modules?: Array<{ module: string; error: string }> };
}

/** Where the running runtime sends what it observes; one flow at a time owns it. */
export interface NodeRedObserver {
  onReceive(nodeId: string, msg: PeerMessage): void;
  onLog(line: NodeRedLogLine): void;
}

/**
 * Node-RED's runtime is a process-wide singleton (its modules keep their state
 * at module level), so one runtime serves every flow of this process, one
 * flow at a time: each flow is a full deploy, and stopping it deploys an empty one.
 */
export class NodeRedRuntime {
  observer: NodeRedObserver | undefined;
  private readonly userDir = mkdtempSync(join(tmpdir(), 'loopedge-node-red-'));

  private constructor(readonly red: NodeRedModule) {}

  static version(): string {
    const require = createRequire(import.meta.url);
    return (require('node-red/package.json') as { version: string }).version;
  }

  static async start(): Promise<NodeRedRuntime> {
    const require = createRequire(import.meta.url);
    const red = require('node-red') as NodeRedModule;
    const runtime = new NodeRedRuntime(red);
    red.init(runtime.settings());
    // start() resolves before the (empty) initial flows have started; wait for
    // that too, so its 'flows:started' is not taken for the first deploy's.
    const initialFlowsStarted = new Promise<void>((resolve) => {
      const onStarted = (): void => {
        red.events.off('flows:started', onStarted);
        resolve();
      };
      red.events.on('flows:started', onStarted);
    });
    await red.start();
    await initialFlowsStarted;
    // A hook rather than `node.on('input')`: it sees messages from the very
    // first one (an inject's once-on-start) and survives redeploys.
    red.hooks.add('onReceive.loopedgeParity', (event) => runtime.observer?.onReceive(event.destination.id, event.msg));
    process.once('exit', () => rmSync(runtime.userDir, { recursive: true, force: true }));
    return runtime;
  }

  /** Deploys `flow` in full and resolves once its nodes have started. */
  async deploy(flow: FlowDocument): Promise<void> {
    const { red } = this;
    // Several deploys' events can be in flight (the initial load's, an undeploy's):
    // only the 'flows:started' carrying this deploy's revision counts.
    const startedRevisions = new Set<string>();
    let revision: string | undefined;
    let settle: { resolve: () => void; reject: (error: Error) => void } | undefined;
    const started = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    started.catch(() => undefined); // it may reject before it is awaited; the await below still sees it
    const onStarted = (event: RuntimeEvent): void => {
      const rev = event.config?.rev;
      if (rev === undefined) return;
      startedRevisions.add(rev);
      if (rev === revision) settle?.resolve();
    };
    // Node-RED does not start a flow that names unknown types; it only says so in this event.
    const onRuntimeEvent = (event: RuntimeEvent): void => {
      if (event.id !== 'runtime-state' || !event.payload?.error) return;
      const detail = event.payload.types?.join(', ') ?? event.payload.modules?.map((m) => `${m.module}: ${m.error}`).join(', ') ?? '';
      settle?.reject(new Error(`Node-RED did not start the flow (${event.payload.error}${detail ? `: ${detail}` : ''})`));
    };
    red.events.on('flows:started', onStarted);
    red.events.on('runtime-event', onRuntimeEvent);
    try {
      revision = (await red.runtime.flows.setFlows({ flows: { flows: flow }, deploymentType: 'full' })).rev;
      if (startedRevisions.has(revision)) return;
      await started;
    } finally {
      red.events.off('flows:started', onStarted);
      red.events.off('runtime-event', onRuntimeEvent);
    }
  }

  /**
   * Node-RED keeps global context across deploys (flow and node context of
   * removed nodes is cleaned); clear it through any node still running so the
   * next flow starts from nothing, as a fresh LoopEdge runtime does.
   */
  clearGlobalContext(flow: FlowDocument): void {
    for (const item of flow) {
      const node = this.red.nodes.getNode(item.id);
      if (!node || typeof node.context !== 'function') continue;
      const global = node.context().global;
      for (const key of global.keys()) global.set(key, undefined);
      return;
    }
  }

  async stop(): Promise<void> {
    this.red.hooks.remove('onReceive.loopedgeParity');
    await this.red.stop();
    rmSync(this.userDir, { recursive: true, force: true });
  }

  private settings(): Record<string, unknown> {
    return {
      userDir: this.userDir,
      flowFile: 'flows.json',
      credentialSecret: false,
      // No HTTP at all: no admin API, no editor, no HTTP-in routes.
      httpAdminRoot: false,
      httpNodeRoot: false,
      disableEditor: true,
      telemetry: { enabled: false, updateNotification: false },
      functionGlobalContext: {},
      externalModules: { autoInstall: false },
      logging: {
        console: { level: 'off', metrics: false, audit: false },
        loopedgeParity: {
          level: 'warn',
          metrics: false,
          audit: false,
          handler: () => (line: NodeRedLogLine) => this.observer?.onLog(line),
        },
      },
    };
  }
}
