import type { FlowDocument } from '@loopedge/flows';

/** A message as the benchmark generator builds it. */
export type BenchMessage = Record<string, unknown>;

export type DeployType = 'full' | 'flows' | 'nodes';

/**
 * A running flow on either engine, reduced to what the benchmarks need. Both
 * engines get the same flow JSON and are driven through the same calls.
 */
export interface RunningFlow {
  /** Delivers a message to the input of node `nodeId`, as if wired to it. */
  receive(nodeId: string, msg: BenchMessage): void;
  /** Calls `listener` for every message reaching node `nodeId`'s input. */
  onInput(nodeId: string, listener: (msg: BenchMessage) => void): void;
  /** Deploys a new version of the flow; resolves when the changed nodes run. Absent where the engine's driver cannot. */
  deploy?(flow: FlowDocument, type: DeployType): Promise<void>;
  stop(): Promise<void>;
}

/** One engine as the benchmarks drive it. */
export interface EngineAdapter {
  /**
   * One-off start-up that does not depend on the flow (e.g. booting a runtime
   * singleton), so that flow start times compare like with like.
   */
  prepare?(): Promise<void>;
  /** Starts `flow`, validating it the way the engine does before it runs anything. */
  startFlow(flow: FlowDocument): Promise<RunningFlow>;
  /**
   * The engine's stand-alone validation of a flow document, when it has one
   * (timed separately in the scale benchmark). Throws on a problem.
   */
  validate?(flow: FlowDocument): void;
}

export const ENGINE_NAMES = ['loopedge', 'node-red'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

export const ENGINE_LABELS: Record<EngineName, string> = { loopedge: 'LoopEdge', 'node-red': 'Node-RED 4.1' };

export function isEngineName(value: string | undefined): value is EngineName {
  return (ENGINE_NAMES as readonly string[]).includes(value ?? '');
}
