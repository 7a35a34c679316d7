import type { FlowDiff, FlowDocument } from '@loopedge/flows';
import type { DeployType } from '../events/runtime-events.js';
import type { CompiledFlows, NodeSpec } from './flow-compiler.js';

export interface RestartPlan {
  /** Runtime ids of running nodes to close. */
  stop: Set<string>;
  /** Runtime ids of specs to create. */
  start: Set<string>;
}

/**
 * Which nodes a deploy stops and starts, as in Node-RED:
 * - full: everything;
 * - flows: every node on a tab that changed in any way;
 * - nodes: only nodes whose own config changed (a config node's change counts
 *   for the nodes using it, a subflow template's for its instances), plus all
 *   nodes of a tab whose own properties (e.g. env) changed.
 * Nodes whose only change is their wiring keep running and are rewired.
 */
export function planRestart(
  type: DeployType,
  previous: { doc: FlowDocument; compiled: CompiledFlows; diff: FlowDiff } | undefined,
  next: { doc: FlowDocument; compiled: CompiledFlows },
): RestartPlan {
  const nextIds = new Set(next.compiled.nodes.map((spec) => spec.id));
  if (!previous || type === 'full') {
    return { stop: new Set(previous?.compiled.nodes.map((spec) => spec.id) ?? []), start: nextIds };
  }
  const diff = previous.diff;
  const changedItems = new Set([...diff.added, ...diff.changed, ...diff.removed]);
  const changedTabs = new Set<string>(type === 'flows' ? diff.changedFlows : []);
  for (const item of next.doc) if ((item.type === 'tab' || item.type === 'subflow') && changedItems.has(item.id)) changedTabs.add(item.id);
  const restart = (spec: NodeSpec): boolean => changedItems.has(spec.topOrigin) || changedItems.has(spec.origin) || changedTabs.has(spec.tabId);

  const previousIds = new Set(previous.compiled.nodes.map((spec) => spec.id));
  const nextById = new Map(next.compiled.nodes.map((spec) => [spec.id, spec]));
  const stop = new Set<string>();
  for (const spec of previous.compiled.nodes) {
    const replacement = nextById.get(spec.id);
    if (!replacement || restart(spec) || restart(replacement) || replacement.type !== spec.type) stop.add(spec.id);
  }
  const start = new Set<string>();
  for (const spec of next.compiled.nodes) if (!previousIds.has(spec.id) || stop.has(spec.id)) start.add(spec.id);
  return { stop, start };
}
