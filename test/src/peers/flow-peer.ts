import type { FlowDocument } from '@loopedge/flows';

/** A message as a peer hands it out: a plain object, `_msgid` included. */
export type PeerMessage = Record<string, unknown>;

/** What both engines offer a test: the same flow document in, the messages at each node out. */
export interface FlowPeer {
  /** Which engine runs the flow, for failure messages. */
  readonly engine: 'node-red' | 'loopedge';
  /** Delivers a message to a node's input, as a wire would (`_msgid` added when missing). */
  receive(nodeId: string, msg: PeerMessage): void;
  /**
   * Calls `listener` with every message that reaches `nodeId`'s input from now on.
   * The message is the live object the node works on: copy it before keeping it.
   * Returns a function that removes the listener.
   */
  onInput(nodeId: string, listener: (msg: PeerMessage) => void): () => void;
  /** Copies of the messages that reached `nodeId`'s input since the flow started, in arrival order. */
  messagesAt(nodeId: string): PeerMessage[];
  /** Resolves with the messages at `nodeId` once there are at least `count`; rejects after `timeoutMs`. */
  waitForMessages(nodeId: string, count: number, timeoutMs?: number): Promise<PeerMessage[]>;
  /** Errors no catch node handled and warnings, as the engine reported them. */
  readonly problems: PeerProblem[];
  /** Stops every node of the flow; the peer is unusable afterwards. */
  stop(): Promise<void>;
}

export interface PeerProblem {
  level: 'error' | 'warn';
  nodeId: string;
  message: string;
}

export interface FlowPeerOptions {
  /** Environment variables visible to the flow (`${FOO}` in properties, `env.get('FOO')`). */
  env?: Record<string, string>;
  /**
   * Nodes whose input messages `messagesAt` keeps a copy of. Default: every node.
   * Benchmarks pass the few they read (or none and use `onInput`) so copying does not skew timings.
   */
  record?: 'all' | readonly string[];
}

/** Starts one flow document on one engine. */
export type StartFlowPeer = (flow: FlowDocument, options?: FlowPeerOptions) => Promise<FlowPeer>;
