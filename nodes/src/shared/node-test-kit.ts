import { startTestFlow, type AnyNodeTypeDefinition, type FlowMessage, type TestFlow } from '@loopedge/runtime';
import type { FlowDocument } from '@loopedge/flows';

/**
 * Small fixtures for node tests: one node under test (id `n`) on tab `t1`,
 * each output wired to a helper sink `out0`, `out1`, ... Tests deploy it
 * through the real engine, as a user's flow would run.
 */
export const TAB = { id: 't1', type: 'tab', label: 'Test' };

export interface NodeUnderTestOptions {
  /** Output ports to wire to sinks (default 1). */
  outputs?: number;
  env?: Record<string, string | undefined>;
  settings?: Record<string, unknown>;
  /** More nodes on the tab (e.g. a catch node); they may wire to `n` or the sinks. */
  extraNodes?: Array<Record<string, unknown>>;
  /** More node types beside the one under test. */
  extraTypes?: AnyNodeTypeDefinition[];
}

export function outputId(port: number): string {
  return `out${port}`;
}

export function nodeUnderTestFlow(type: string, config: Record<string, unknown>, outputs: number, extraNodes: Array<Record<string, unknown>> = []): FlowDocument {
  const wires = Array.from({ length: outputs }, (_, i) => [outputId(i)]);
  const sinks = Array.from({ length: outputs }, (_, i) => ({ id: outputId(i), type: 'helper', z: TAB.id, wires: [] }));
  return [TAB, { id: 'n', type, z: TAB.id, wires, ...config }, ...sinks, ...extraNodes] as FlowDocument;
}

export function startNodeUnderTest(definition: AnyNodeTypeDefinition, config: Record<string, unknown>, options: NodeUnderTestOptions = {}): Promise<TestFlow> {
  const outputs = options.outputs ?? 1;
  return startTestFlow(nodeUnderTestFlow(definition.type, config, outputs, options.extraNodes), {
    nodeTypes: [definition, ...(options.extraTypes ?? [])],
    ...(options.env ? { env: options.env } : {}),
    ...(options.settings ? { settings: options.settings } : {}),
  });
}

/** Deploy, run `body`, always stop. */
export async function withNode<T>(definition: AnyNodeTypeDefinition, config: Record<string, unknown>, body: (flow: TestFlow) => Promise<T>, options: NodeUnderTestOptions = {}): Promise<T> {
  const flow = await startNodeUnderTest(definition, config, options);
  try {
    return await body(flow);
  } finally {
    await flow.stop();
  }
}

/**
 * Send one message and return what came out of each port. A marker message
 * sent right after (and known to come out of `markerPort`) shows the first
 * one has been handled, so "nothing came out" needs no waiting on a clock.
 */
export async function sendAndCollect(flow: TestFlow, msg: Partial<FlowMessage>, marker: Partial<FlowMessage>, markerPort: number, ports: number): Promise<FlowMessage[][]> {
  const before = Array.from({ length: ports }, (_, i) => flow.messagesAt(outputId(i)).length);
  flow.receive('n', msg);
  flow.receive('n', { ...marker, __marker: true });
  await flow.waitUntil(() => flow.messagesAt(outputId(markerPort)).some((m, i) => i >= before[markerPort]! && m.__marker === true), 2000, () => 'the marker message did not come out');
  return before.map((start, port) => flow.messagesAt(outputId(port)).slice(start).filter((m) => m.__marker !== true));
}
