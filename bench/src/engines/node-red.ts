/**
 * Node-RED 4.1.8 as the benchmarks drive it: started through the parity
 * suite's in-process peer (`startNodeRedFlow` from @loopedge/test: embedded
 * runtime, no HTTP, silent logging, temp userDir), then driven through
 * Node-RED's own objects so that nothing but Node-RED runs per message.
 */
import { createRequire } from 'node:module';
import type { FlowDocument } from '@loopedge/flows';
import { startNodeRedFlow, type FlowPeer } from '@loopedge/test';
import type { BenchMessage, DeployType, EngineAdapter, RunningFlow } from './engine-under-test.js';

/** The slice of Node-RED's embedding API used here; Node-RED ships no types. */
interface NodeRedNode {
  receive(msg: BenchMessage): void;
  on(event: 'input', listener: (msg: BenchMessage) => void): void;
}

interface NodeRedModule {
  readonly nodes: { getNode(id: string): NodeRedNode | null };
  readonly hooks: { remove(id: string): void };
  readonly events: {
    on(event: 'flows:started', listener: () => void): void;
    off(event: 'flows:started', listener: () => void): void;
  };
  readonly runtime: {
    flows: { setFlows(opts: { flows: { flows: FlowDocument }; deploymentType: DeployType }): Promise<unknown> };
  };
}

/**
 * The peer observes every delivery through this `onReceive` hook, which makes
 * Node-RED run its hook machinery on each of the flow's messages; the
 * benchmarks remove it and count at the sink with a plain input listener
 * (Node-RED's own mechanism) instead, so Node-RED is measured unburdened.
 */
const PEER_RECEIVE_HOOK = 'onReceive.loopedgeParity';

/** The same module instance the peer started (Node-RED is a per-process singleton). */
function nodeRedModule(): NodeRedModule {
  return createRequire(import.meta.url)('node-red') as NodeRedModule;
}

function runningNode(red: NodeRedModule, nodeId: string): NodeRedNode {
  const node = red.nodes.getNode(nodeId);
  if (!node) throw new Error(`Node-RED runs no node '${nodeId}': check the benchmark flow's ids and that the node is not disabled.`);
  return node;
}

/** Deploys through Node-RED's runtime API and resolves once the flows have restarted, as after an editor deploy. */
async function deployNodeRed(red: NodeRedModule, flow: FlowDocument, type: DeployType): Promise<void> {
  let onStarted!: () => void;
  const started = new Promise<void>((resolve) => {
    onStarted = resolve;
    red.events.on('flows:started', onStarted);
  });
  try {
    await red.runtime.flows.setFlows({ flows: { flows: flow }, deploymentType: type });
    await started;
  } finally {
    red.events.off('flows:started', onStarted);
  }
}

function wrapPeer(peer: FlowPeer, red: NodeRedModule): RunningFlow {
  // Looked up once per id: the generator calls receive() hundreds of thousands of times.
  const nodes = new Map<string, NodeRedNode>();
  const node = (nodeId: string): NodeRedNode => {
    let found = nodes.get(nodeId);
    if (!found) nodes.set(nodeId, (found = runningNode(red, nodeId)));
    return found;
  };
  return {
    receive: (nodeId, msg) => node(nodeId).receive(msg),
    onInput: (nodeId, listener) => node(nodeId).on('input', (msg) => listener(msg)),
    deploy: async (flow, type) => {
      nodes.clear();
      await deployNodeRed(red, flow, type);
    },
    stop: () => peer.stop(),
  };
}

const BOOT_FLOW: FlowDocument = [
  { id: 'bench-boot', type: 'tab', label: 'boot' },
  { id: 'bench-boot-note', type: 'comment', z: 'bench-boot', name: 'boots the runtime', info: '', x: 100, y: 40, wires: [] },
];

export const nodeRedEngine: EngineAdapter = {
  async prepare() {
    // Boot the runtime (loading every core node module) on a one-node flow, so
    // flow start times compare deploying nodes, not Node-RED's boot. (Not an
    // empty flow: deploying [] onto Node-RED's initial empty flows never
    // reports 'flows:started', and the peer would wait for ever.)
    const peer = await startNodeRedFlow(BOOT_FLOW, { record: [] });
    await peer.stop();
  },
  async startFlow(flow) {
    const peer = await startNodeRedFlow(flow, { record: [] });
    const red = nodeRedModule();
    red.hooks.remove(PEER_RECEIVE_HOOK);
    return wrapPeer(peer, red);
  },
};
