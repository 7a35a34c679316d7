import type { Static, TObject } from '@sinclair/typebox';
import type { NodeApi } from './node-api.js';
import type { DoneFunction, FlowMessage, SendFunction } from './message.js';

/** Palette categories, in the order the editor shows them. */
export type NodeCategory = 'common' | 'function' | 'sequence' | 'parser' | 'network' | 'storage' | 'config' | 'southbound' | 'northbound' | 'alerts';

/** How a node looks in the editor; the property form itself comes from `config`. */
export interface EditorHints {
  /** Label shown on the node when it has no name. Defaults to the type. */
  label?: string;
  paletteLabel?: string;
  /** Icon name (a file name from the editor's icon set, e.g. `inject.svg`). */
  icon: string;
  /** Background colour, CSS syntax. */
  color: string;
  align?: 'left' | 'right';
  inputLabels?: string[];
  outputLabels?: string[];
  /**
   * Special widgets for some properties (e.g. `code-js`, `typed-input`,
   * `config-node:mqtt-broker`); every other property gets the default widget
   * for its JSON Schema type.
   */
  widgets?: Record<string, string>;
}

/**
 * What a node's `create()` returns.
 *
 * `input` completion: if it returns a promise, the message is done when the
 * promise settles (rejection = error to catch nodes); if it declares three
 * parameters it must call `done()` itself; otherwise the message is done when
 * `input` returns (a throw = error to catch nodes).
 */
export interface NodeHandlers<Api = unknown> {
  input?(msg: FlowMessage, send: SendFunction, done: DoneFunction): void | Promise<void>;
  /** Stop timers, close connections. Raced against the runtime's close timeout. */
  close?(removed: boolean): void | Promise<void>;
  /** A config node's service, handed to nodes that call `getConfigNode(id)`. */
  api?: Api;
}

/**
 * One declaration per node type: the runtime validates `config` before any node
 * starts, the editor renders `config` as the property form, and the help panel
 * shows `helpFile`. Nothing about a node is written twice.
 */
export interface NodeTypeDefinition<S extends TObject = TObject> {
  /** The type name; Node-RED's name for the nodes Node-RED has. */
  type: string;
  category: NodeCategory;
  /** JSON Schema (TypeBox) of the node's own properties, with defaults. */
  config: S;
  /** JSON Schema of the node's credentials, which never live in the flow document. */
  credentials?: TObject;
  inputs: 0 | 1;
  /** Number of output ports, fixed or computed from the config (e.g. switch rules). */
  outputs: number | ((config: Static<S>) => number);
  /** Config nodes (e.g. a broker) are not on a tab's canvas and are shared by other nodes. */
  configNode?: boolean;
  editor: EditorHints;
  /**
   * Node-RED reports an empty name as "" (not undefined) in error, status and
   * complete sources for the few types whose constructor copies `n.name`
   * (function, debug, template, delay).
   */
  keepsEmptyName?: boolean;
  /** Absolute path of the node's README.md (use `readmeBeside(import.meta.url)`). */
  helpFile?: string;
  create(node: NodeApi, config: Static<S>): NodeHandlers | Promise<NodeHandlers>;
}

/** Declares a node type; the identity function that gives `create` its config type. */
export function defineNode<S extends TObject>(definition: NodeTypeDefinition<S>): NodeTypeDefinition<S> {
  return definition;
}

/** Type-erased definition, for registries that hold many node types. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyNodeTypeDefinition = NodeTypeDefinition<any>;

/**
 * The README.md that sits beside a node's `index.ts`. Compiled code lives in
 * `dist/`, the README stays in `src/`, so map one onto the other.
 */
export function readmeBeside(moduleUrl: string): string {
  const path = new URL('./README.md', moduleUrl).pathname;
  return path.replace(/\/dist\//, '/src/');
}
