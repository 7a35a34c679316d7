import { Type } from '@sinclair/typebox';
import type { FlowDocument } from '@loopedge/flows';
import { defineNode, type AnyNodeTypeDefinition } from '../node-api/definition.js';
import type { FlowMessage } from '../node-api/message.js';
import type { NodeStatus } from '../node-api/status.js';
import type { ContextStorageConfig } from '../context/context-store.js';
import { Runtime, type CredentialSource, type DeployResult, type RuntimeOptions } from '../engine/runtime.js';

/** A sink node for tests, like node-red-node-test-helper's `helper` node. */
export const helperNode = defineNode({
  type: 'helper',
  category: 'common',
  config: Type.Object({}),
  inputs: 1,
  outputs: 1,
  editor: { icon: 'debug.svg', color: '#87a980' },
  create() {
    return { input() {} };
  },
});

export interface TestFlowOptions {
  nodeTypes: readonly AnyNodeTypeDefinition[];
  env?: Readonly<Record<string, string | undefined>>;
  settings?: Readonly<Record<string, unknown>>;
  contextStorage?: ContextStorageConfig;
  closeTimeoutMs?: number;
  /** The sandbox for function nodes: share one supervisor across a test file so its process starts once. */
  sandbox?: RuntimeOptions['sandbox'];
  credentials?: CredentialSource;
  /** Host services (HTTP endpoints, alerts...) the nodes under test need. */
  host?: RuntimeOptions['host'];
}

export interface RecordedError {
  nodeId: string;
  message: string;
  handled: boolean;
}

/**
 * Deploys a small flow through the real engine and records what reaches each
 * node, every error, warning and status. Node tests and the parity suite use it.
 */
export class TestFlow {
  readonly errors: RecordedError[] = [];
  readonly warnings: Array<{ nodeId: string; message: string }> = [];
  readonly #received = new Map<string, FlowMessage[]>();
  readonly #statuses = new Map<string, NodeStatus[]>();
  readonly #waiters = new Set<() => void>();

  constructor(readonly runtime: Runtime) {
    runtime.hooks.onReceive = (node, msg) => {
      let list = this.#received.get(node.id);
      if (!list) {
        list = [];
        this.#received.set(node.id, list);
      }
      list.push(msg);
      this.#notify();
    };
    runtime.events.on('node-error', (event) => {
      this.errors.push({ nodeId: event.id, message: event.message, handled: event.handled });
      this.#notify();
    });
    runtime.events.on('node-log', (event) => {
      if (event.level === 'warn') this.warnings.push({ nodeId: event.id, message: event.message });
      this.#notify();
    });
    runtime.events.on('node-status', (event) => {
      const list = this.#statuses.get(event.id) ?? [];
      list.push(event.status);
      this.#statuses.set(event.id, list);
      this.#notify();
    });
  }

  /** Deliver a message to a node's input (an `_msgid` is added when missing). */
  receive(nodeId: string, msg: Partial<FlowMessage> = {}): void {
    if (!this.runtime.receive(nodeId, msg)) throw new Error(`No running node "${nodeId}" in the test flow`);
  }

  messagesAt(nodeId: string): FlowMessage[] {
    return this.#received.get(nodeId) ?? [];
  }

  statuses(nodeId: string): NodeStatus[] {
    return this.#statuses.get(nodeId) ?? [];
  }

  /** Resolves once `count` messages have reached the node; rejects after the timeout with what did arrive. */
  waitForMessages(nodeId: string, count: number, timeoutMs = 2000): Promise<FlowMessage[]> {
    return this.waitUntil(() => this.messagesAt(nodeId).length >= count, timeoutMs, () => `${this.messagesAt(nodeId).length} of ${count} messages reached "${nodeId}"`).then(() => this.messagesAt(nodeId));
  }

  /** Resolves when the condition holds (checked after every recorded event). */
  waitUntil(condition: () => boolean, timeoutMs = 2000, describe: () => string = () => 'condition not met'): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!condition()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`Timed out after ${timeoutMs} ms: ${describe()}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
    });
  }

  /** Wait a little for anything further to happen (to check that nothing else arrives). */
  settle(ms = 50): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  /** Clear what was recorded so far. */
  reset(): void {
    this.#received.clear();
    this.#statuses.clear();
    this.errors.length = 0;
    this.warnings.length = 0;
  }

  stop(): Promise<void> {
    return this.runtime.stop();
  }

  #notify(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

/** Deploy a flow document through a fresh runtime; throws with every problem if it does not deploy. */
export async function startTestFlow(flow: FlowDocument, options: TestFlowOptions): Promise<TestFlow> {
  const types = options.nodeTypes.some((t) => t.type === 'helper') ? options.nodeTypes : [...options.nodeTypes, helperNode];
  const runtime = new Runtime({
    nodeTypes: types,
    ...(options.env ? { env: options.env } : { env: {} }),
    ...(options.settings ? { settings: options.settings } : {}),
    ...(options.contextStorage ? { contextStorage: options.contextStorage } : {}),
    closeTimeoutMs: options.closeTimeoutMs ?? 2000,
    ...(options.sandbox ? { sandbox: options.sandbox } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.host ? { host: options.host } : {}),
  });
  const testFlow = new TestFlow(runtime);
  const result: DeployResult = await runtime.deploy(flow);
  if (!result.ok) {
    await runtime.stop();
    const details = result.problems.map((p) => `${p.nodeId ?? '?'} ${p.field}: ${p.reason}`).join('\n');
    throw new Error(`Test flow did not deploy: ${result.error ?? ''}\n${details}`);
  }
  return testFlow;
}
