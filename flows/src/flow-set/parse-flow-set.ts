import type { FlowDocument, FlowGroup, FlowItem, FlowNode, FlowTab, SubflowTemplate } from '../types.js';
import { containerOf, safeTest, subflowTemplateId, type ConfigTypeTest } from '../shared/item-kinds.js';

/** A flow document sorted into what the runtime starts: flows, subflows, config nodes, nodes. */
export interface FlowSet {
  tabs: Map<string, FlowTab>;
  subflows: Map<string, SubflowTemplate>;
  groups: Map<string, FlowGroup>;
  /** Global config nodes (no z) and, when the caller says so, config nodes scoped to a tab or subflow. */
  configNodes: Map<string, FlowNode>;
  /**
   * Ordinary nodes (not config nodes, not groups) by the tab or subflow they sit on, in
   * document order. Every tab and subflow has an entry, empty if it holds no nodes.
   */
  nodesByFlow: Map<string, FlowNode[]>;
  /** Every item by id. */
  allById: Map<string, FlowItem>;
}

export interface FlowSetOptions {
  /** Which types are config nodes, so ones placed on a tab or in a subflow are told from flow nodes. */
  isConfigType?: ConfigTypeTest;
}

/**
 * Sort a flow document into a FlowSet in one pass. Meant for a document that passed
 * validateFlowDocument: on a duplicate id the first item wins, and a node whose z names
 * no tab is still listed under that z so nothing silently disappears.
 */
export function parseFlowSet(doc: FlowDocument, options: FlowSetOptions = {}): FlowSet {
  const set: FlowSet = {
    tabs: new Map(),
    subflows: new Map(),
    groups: new Map(),
    configNodes: new Map(),
    nodesByFlow: new Map(),
    allById: new Map(),
  };
  for (const item of doc) {
    if (set.allById.has(item.id)) continue;
    set.allById.set(item.id, item);
    switch (item.type) {
      case 'tab':
        set.tabs.set(item.id, item as FlowTab);
        flowEntry(set, item.id);
        break;
      case 'subflow':
        set.subflows.set(item.id, item as SubflowTemplate);
        flowEntry(set, item.id);
        break;
      case 'group':
        set.groups.set(item.id, item as FlowGroup);
        break;
      default:
        placeNode(set, item as FlowNode, options);
    }
  }
  return set;
}

function placeNode(set: FlowSet, node: FlowNode, options: FlowSetOptions): void {
  const containerId = containerOf(node);
  const isConfig =
    containerId === undefined ||
    (options.isConfigType !== undefined && subflowTemplateId(node.type) === undefined && safeTest(options.isConfigType, node.type));
  if (isConfig) set.configNodes.set(node.id, node);
  else flowEntry(set, containerId).push(node);
}

function flowEntry(set: FlowSet, flowId: string): FlowNode[] {
  let nodes = set.nodesByFlow.get(flowId);
  if (nodes === undefined) {
    nodes = [];
    set.nodesByFlow.set(flowId, nodes);
  }
  return nodes;
}
