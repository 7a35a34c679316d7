import { STRUCTURAL_TYPES, SUBFLOW_INSTANCE_PREFIX, type FlowDocument } from '@loopedge/flows';
import { cloneMessage, startTestFlow, type AnyNodeTypeDefinition, type FlowMessage } from '@loopedge/runtime';
import { coreNodeTypes } from '@loopedge/nodes';
import type { FlowPeer, FlowPeerOptions, PeerProblem } from './flow-peer.js';
import { MessageRecorder } from './message-recorder.js';

const DEFAULT_WAIT_MS = 2000;

/** Thrown before anything starts when a flow uses node types LoopEdge does not have (yet). */
export class MissingNodeTypesError extends Error {
  constructor(readonly types: readonly string[]) {
    super(`LoopEdge has no node type ${types.map((t) => `"${t}"`).join(', ')}: implement it in @loopedge/nodes and add it to a registry list`);
    this.name = 'MissingNodeTypesError';
  }
}

export interface LoopEdgePeerOptions extends FlowPeerOptions {
  /** The node types the runtime knows; defaults to every built-in one (`coreNodeTypes`). */
  nodeTypes?: readonly AnyNodeTypeDefinition[];
}

/** The node types a flow uses that `nodeTypes` lacks; tabs, subflows, groups and subflow instances are the engine's own. */
export function missingNodeTypes(flow: FlowDocument, nodeTypes: readonly AnyNodeTypeDefinition[] = coreNodeTypes): string[] {
  const known = new Set(nodeTypes.map((t) => t.type));
  const missing = new Set<string>();
  for (const item of flow) {
    if (STRUCTURAL_TYPES.has(item.type) || item.type.startsWith(SUBFLOW_INSTANCE_PREFIX)) continue;
    if (!known.has(item.type)) missing.add(item.type);
  }
  return [...missing].sort();
}

/**
 * Runs a flow document in LoopEdge's real engine (through the runtime's test
 * harness), with the same interface as the Node-RED peer. Any number may run
 * at once: each is its own Runtime.
 */
export async function startLoopEdgeFlow(flow: FlowDocument, options: LoopEdgePeerOptions = {}): Promise<FlowPeer> {
  const nodeTypes = options.nodeTypes ?? coreNodeTypes;
  const missing = missingNodeTypes(flow, nodeTypes);
  if (missing.length > 0) throw new MissingNodeTypesError(missing);

  const testFlow = await startTestFlow(flow, { nodeTypes, env: options.env ?? {} });
  const record = options.record === undefined || options.record === 'all' ? 'all' : new Set(options.record);
  const recorder = new MessageRecorder((msg) => cloneMessage(msg as FlowMessage), record);

  // The harness keeps the live message objects of every node; take over its
  // hook so sinks keep copies (a later node may mutate a shared object) and
  // benchmarks pay only for what they observe. Messages that arrived while
  // the flow was starting are taken from the harness first.
  for (const item of flow) {
    for (const msg of testFlow.messagesAt(item.id)) {
      if (!recorder.isIgnored(item.id)) recorder.deliver(item.id, msg);
    }
  }
  testFlow.runtime.hooks.onReceive = (node, msg) => {
    if (!recorder.isIgnored(node.id)) recorder.deliver(node.id, msg);
  };

  let stopped = false;
  const peer: FlowPeer = {
    engine: 'loopedge',
    get problems(): PeerProblem[] {
      return [
        ...testFlow.errors.filter((e) => !e.handled).map((e): PeerProblem => ({ level: 'error', nodeId: e.nodeId, message: e.message })),
        ...testFlow.warnings.map((w): PeerProblem => ({ level: 'warn', nodeId: w.nodeId, message: w.message })),
      ];
    },
    receive(nodeId, msg) {
      if (stopped) throw new Error(`LoopEdge flow already stopped: cannot deliver a message to node ${nodeId}`);
      testFlow.receive(nodeId, msg as Partial<FlowMessage>);
    },
    onInput: (nodeId, listener) => recorder.onInput(nodeId, listener),
    messagesAt: (nodeId) => recorder.messagesAt(nodeId),
    waitForMessages: (nodeId, count, timeoutMs = DEFAULT_WAIT_MS) => recorder.waitForMessages(nodeId, count, timeoutMs, 'LoopEdge'),
    async stop() {
      if (stopped) return;
      stopped = true;
      await testFlow.stop();
    },
  };
  return peer;
}
