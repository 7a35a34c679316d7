/**
 * The flow document: Node-RED's flow JSON, a flat array of objects.
 * Tabs, subflow templates, groups, config nodes and ordinary nodes all live in
 * the same array and are told apart by `type` and by whether they sit on a tab (`z`).
 */

/** Any object in a flow document. Node types add their own properties. */
export interface FlowItem {
  id: string;
  type: string;
  [property: string]: unknown;
}

/** A node placed on a tab or inside a subflow template. */
export interface FlowNode extends FlowItem {
  /** The tab or subflow template this node sits on. Config nodes may omit it. */
  z?: string;
  name?: string;
  /** One array per output port, each listing the ids of the nodes it is wired to. */
  wires?: string[][];
  x?: number;
  y?: number;
  /** The group this node belongs to. */
  g?: string;
  /** Disabled node: `d: true`. */
  d?: boolean;
}

export interface FlowTab extends FlowItem {
  type: 'tab';
  label?: string;
  disabled?: boolean;
  info?: string;
  env?: EnvEntry[];
}

/** A subflow's environment property, as in Node-RED (`type` is a typed-input type). */
export interface EnvEntry {
  name: string;
  type: string;
  value: unknown;
}

export interface SubflowPort {
  x?: number;
  y?: number;
  wires: Array<{ id: string; port?: number }>;
}

export interface SubflowTemplate extends FlowItem {
  type: 'subflow';
  name?: string;
  in: SubflowPort[];
  out: SubflowPort[];
  env?: EnvEntry[];
  /** Optional status output: wires from internal nodes to the subflow's status port. */
  status?: SubflowPort;
}

export interface FlowGroup extends FlowItem {
  type: 'group';
  z: string;
  nodes?: string[];
}

/** The whole document as stored and sent: Node-RED's flat array. */
export type FlowDocument = FlowItem[];

/** Prefix of the type of a subflow instance node: `subflow:<template id>`. */
export const SUBFLOW_INSTANCE_PREFIX = 'subflow:';

/** Types the flow document itself defines, which no node type registry provides. */
export const STRUCTURAL_TYPES: ReadonlySet<string> = new Set(['tab', 'subflow', 'group']);

/** One problem found in a flow document: which node, which field, and why. */
export interface FlowProblem {
  /** Stable machine-readable code, e.g. `duplicate-id`. */
  code: FlowProblemCode;
  /** The id of the node the problem belongs to, when there is one. */
  nodeId?: string;
  /** Path of the offending field, e.g. `wires[1][0]` or `$[3]` for the array position. */
  field: string;
  /** What is wrong and what to do, in words a person can act on. */
  reason: string;
  /** Position of the item in the document array, when the problem belongs to one item. */
  index?: number;
}

export type FlowProblemCode =
  | 'not-an-array'
  | 'not-an-object'
  | 'missing-id'
  | 'missing-type'
  | 'duplicate-id'
  | 'unknown-type'
  | 'missing-wire-target'
  | 'no-such-port'
  | 'missing-tab'
  | 'forbidden-key'
  | 'too-deep'
  | 'too-large'
  | 'invalid-field'
  | 'invalid-config'
  /** A group's `nodes` entry or a node's `g` names no group or node in the document. */
  | 'missing-reference';
