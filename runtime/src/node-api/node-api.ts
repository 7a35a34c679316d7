import type { FlowMessage, SendValue } from './message.js';
import type { NodeStatus } from './status.js';
import type { NodeContext } from './context.js';
import type { Logger } from './logger.js';
import type { NodeSandbox } from './sandbox.js';
import type { HostServices } from './host-services.js';

/** What the debug node publishes; the server forwards it to editors. */
export interface DebugEvent {
  /** Id of the debug node (for subflow internals, the runtime id). */
  id: string;
  /** The tab or subflow instance the node sits on. */
  z: string;
  name?: string;
  /** Which property was shown, e.g. `payload`, or `msg` for the whole message. */
  property: string;
  /** The value shown, already copied (never a live object). */
  value: unknown;
  msgid: string;
  topic?: string;
}

/**
 * The narrow facade every node implementation gets. Nodes never see engine
 * internals: everything they may do goes through here.
 */
export interface NodeApi {
  readonly id: string;
  readonly type: string;
  readonly name: string;
  /** The tab (or subflow instance) the node runs on. */
  readonly z: string;

  /** Send messages on the node's outputs, outside of an input handler (e.g. inject). */
  send(value: SendValue): void;
  status(status: NodeStatus | string): void;

  log(message: unknown): void;
  warn(message: unknown): void;
  debug(message: unknown): void;
  trace(message: unknown): void;
  /**
   * Report an error. With a message, it goes to the catch nodes in scope, as in
   * Node-RED's `node.error(err, msg)`; without one it is only logged and published.
   */
  error(error: unknown, msg?: FlowMessage): void;

  context(): NodeContext;
  /** Environment variables as Node-RED resolves them: subflow instance, tab, then process. */
  readonly env: { get(name: string): unknown };

  /**
   * The node's credentials (passwords, keys), decrypted for this node only.
   * They never live in the flow document; the server keeps them encrypted.
   */
  readonly credentials: Readonly<Record<string, string>>;

  /** The service a config node exposes (its handlers' `api`), by the config node's id. */
  getConfigNode<T = unknown>(id: string): T | undefined;

  /** Publish a value to the debug sidebar (used by the debug node). */
  publishDebug(event: Omit<DebugEvent, 'id' | 'z' | 'name'>): void;

  /** A fresh message id, as Node-RED's `RED.util.generateId()`. */
  newMessageId(): string;

  /** Runtime settings visible to nodes (read only). */
  readonly settings: Readonly<Record<string, unknown>>;

  /** Services from outside the engine (HTTP endpoints, alerts...); each is optional: check before use. */
  readonly host: HostServices;

  /** Child logger bound to this node; prefer warn()/error() for things users must see. */
  readonly logger: Logger;

  /**
   * Engine services only a few structural node types need (link nodes).
   * Ordinary nodes never touch these.
   */
  readonly links: LinkApi;

  /** Runs user code (function nodes) in the supervised sandbox process, never in the runtime's. */
  readonly sandbox: NodeSandbox;

  /**
   * How much work the whole runtime holds right now (live values, cheap to read):
   * nodes that read from a socket (mqtt in) stop reading while it is high, so a
   * flood waits in the kernel or the broker instead of this process's heap.
   */
  readonly load: RuntimeLoad;
}

export interface RuntimeLoad {
  /** Deliveries waiting in the runtime's queue. */
  readonly queued: number;
  /** Messages a node has received and not yet finished (done not called). */
  readonly inFlight: number;
  /** Messages finished since start; when it stops moving, nothing is being processed. */
  readonly finished: number;
}

export interface LinkApi {
  /** Deliver a message to the input of the node with this id (a link in). False if there is none. */
  deliverTo(nodeId: string, msg: FlowMessage): boolean;
  /** Ids of running `link in` nodes with this id or name. */
  findLinkIn(idOrName: string): string[];
  /**
   * Hand a message back to the `link call` node that sent it (link out in
   * return mode). The link call node exposes `api.returnMessage(callId, msg)`.
   */
  returnTo(linkCallId: string, callId: string, msg: FlowMessage): boolean;
}
