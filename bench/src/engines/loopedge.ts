/**
 * LoopEdge as the benchmarks drive it: the runtime API itself (createRuntime,
 * deploy, receive) with every core node type. Not the test harness, which
 * keeps every message reaching every node and would measure its own memory.
 */
import { createRuntime, type Runtime } from '@loopedge/runtime';
import { coreNodeTypes } from '@loopedge/nodes';
import { formatProblem, type FlowDocument } from '@loopedge/flows';
import type { BenchMessage, DeployType, EngineAdapter, RunningFlow } from './engine-under-test.js';

type InputListener = (msg: BenchMessage) => void;

function newRuntime(): Runtime {
  // An empty env, like the Node-RED side which sees no flow-specific variables.
  return createRuntime({ nodeTypes: coreNodeTypes, env: {} });
}

async function deployOrThrow(runtime: Runtime, flow: FlowDocument, type: DeployType): Promise<void> {
  const result = await runtime.deploy(flow, { type });
  if (!result.ok) {
    const problems = result.problems.slice(0, 10).map(formatProblem).join('\n  ');
    const failed = result.failedNode ? ` (node ${result.failedNode})` : '';
    throw new Error(`LoopEdge did not deploy the benchmark flow (${type})${failed}: ${result.error ?? 'invalid flow'}${problems ? `\n  ${problems}` : ''}`);
  }
}

function wrapRuntime(runtime: Runtime): RunningFlow {
  const listeners = new Map<string, InputListener[]>();
  // The runtime's named hook on the message path; it runs on every delivery
  // (not only the sink's), so LoopEdge's numbers carry this cost and Node-RED's do not.
  runtime.hooks.onReceive = (node, msg) => {
    const forNode = listeners.get(node.id);
    if (forNode) for (const listener of forNode) listener(msg as BenchMessage);
  };
  return {
    receive(nodeId, msg) {
      if (!runtime.receive(nodeId, msg)) throw new Error(`LoopEdge runs no node '${nodeId}': check the benchmark flow's ids and that the node is not disabled.`);
    },
    onInput(nodeId, listener) {
      listeners.set(nodeId, [...(listeners.get(nodeId) ?? []), listener]);
    },
    deploy: (flow, type) => deployOrThrow(runtime, flow, type),
    stop: () => runtime.stop(),
  };
}

export const loopEdgeEngine: EngineAdapter = {
  async startFlow(flow) {
    const runtime = newRuntime();
    try {
      await deployOrThrow(runtime, flow, 'full');
    } catch (error) {
      await runtime.stop();
      throw error;
    }
    return wrapRuntime(runtime);
  },
  validate(flow) {
    const problems = newRuntime().validate(flow);
    if (problems.length > 0) throw new Error(`LoopEdge rejects the benchmark flow:\n  ${problems.slice(0, 10).map(formatProblem).join('\n  ')}`);
  },
};
