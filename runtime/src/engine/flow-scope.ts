import type { ContextScope } from '../node-api/context.js';
import type { FlowMessage } from '../node-api/message.js';
import type { NodeStatus } from '../node-api/status.js';
import { cloneMessage } from '../node-api/message-tools.js';
import type { EnvSource } from '../env/flow-env.js';
import type { RuntimeNode } from './runtime-node.js';

/** A catch node's settings, read from its config. */
export interface CatchSettings {
  scope: string[] | null | 'group';
  uncaught: boolean;
}

const ERROR_LOOP_LIMIT = 10;

/**
 * A running flow: a tab, or one instance of a subflow. Holds its context,
 * environment and the catch/status/complete nodes that listen inside it, and
 * routes errors and statuses the way Node-RED's Flow does (a subflow passes what
 * it does not handle up to its parent, reported by the subflow instance node).
 */
export class FlowScope {
  readonly catchNodes: RuntimeNode[] = [];
  readonly statusNodes: RuntimeNode[] = [];
  readonly completeNodes = new Map<string, RuntimeNode[]>();

  constructor(
    readonly id: string,
    readonly name: string,
    readonly kind: 'tab' | 'subflow' | 'global',
    readonly env: EnvSource,
    readonly context: ContextScope,
    readonly parent?: FlowScope,
    /** For a subflow instance: the instance node in the parent flow. */
    public instanceNode?: RuntimeNode,
    /** Prefix of runtime ids inside this scope (`<instance id>-` in subflows). */
    readonly idPrefix = '',
    readonly groups: ReadonlyMap<string, { id: string; g?: string; name?: string; env?: EnvSource }> = new Map(),
  ) {}

  /** Register the listener nodes; called after every (re)start of nodes in this scope. */
  index(nodes: Iterable<RuntimeNode>): void {
    this.catchNodes.length = 0;
    this.statusNodes.length = 0;
    this.completeNodes.clear();
    for (const node of nodes) {
      if (node.type === 'catch') this.catchNodes.push(node);
      else if (node.type === 'status') this.statusNodes.push(node);
      else if (node.type === 'complete') {
        for (const target of scopeList(node.config.scope, this.idPrefix) ?? []) {
          const list = this.completeNodes.get(target) ?? [];
          list.push(node);
          this.completeNodes.set(target, list);
        }
      }
    }
    // Node-RED order: catch nodes with a node list first, then "all", then "uncaught".
    this.catchNodes.sort((a, b) => catchRank(a) - catchRank(b));
  }

  /** Route an error to catch nodes; returns true if one took it. */
  handleError(node: RuntimeNode, error: unknown, msg: FlowMessage | undefined, reportingNode: RuntimeNode = node): boolean {
    let count = 1;
    const previous = msg?.error as { source?: { id?: string; count?: number } } | undefined;
    if (previous && typeof previous === 'object' && previous.source && previous.source.id === node.id) {
      count = (previous.source.count ?? 0) + 1;
      if (count === ERROR_LOOP_LIMIT) {
        node.warnText('Message exceeded maximum number of catches');
        return false;
      }
    }
    let handled = false;
    const candidates = this.#candidates(this.catchNodes, reportingNode);
    let handledByUncaught = false;
    for (const catchNode of candidates) {
      if (catchNode.config.uncaught === true && !handledByUncaught) {
        if (handled) continue;
        handledByUncaught = true;
      }
      const errorMessage: FlowMessage = msg ? cloneMessage(msg) : ({} as FlowMessage);
      if (Object.prototype.hasOwnProperty.call(errorMessage, 'error')) errorMessage._error = errorMessage.error;
      errorMessage.error = describeError(error, node, count);
      catchNode.enqueue(errorMessage);
      handled = true;
    }
    if (!handled && this.parent && this.instanceNode) {
      handled = this.parent.handleError(node, error, msg, this.instanceNode);
    }
    return handled;
  }

  handleStatus(node: RuntimeNode, status: NodeStatus, reportingNode: RuntimeNode = node): boolean {
    let handled = false;
    for (const statusNode of this.#candidates(this.statusNodes, reportingNode)) {
      const copy: Record<string, unknown> = { ...status };
      if ('text' in status && status.text !== undefined) copy.text = String(status.text);
      copy.source = { id: node.id, type: node.type, name: sourceName(node) };
      statusNode.enqueue({ status: copy } as unknown as FlowMessage);
      handled = true;
    }
    if (!handled && this.parent && this.instanceNode) {
      handled = this.parent.handleStatus(node, status, this.instanceNode);
    }
    return handled;
  }

  handleComplete(node: RuntimeNode, msg: FlowMessage): void {
    const listeners = this.completeNodes.get(node.id);
    if (!listeners) return;
    for (const completeNode of listeners) {
      const copy = cloneMessage(msg);
      copy.complete = { source: { id: node.id, type: node.type, name: sourceName(node) } };
      completeNode.enqueue(copy);
    }
  }

  hasCompleteListeners(nodeId: string): boolean {
    return this.completeNodes.has(nodeId);
  }

  #candidates(listeners: RuntimeNode[], reportingNode: RuntimeNode): RuntimeNode[] {
    const ranked: Array<{ distance: number; node: RuntimeNode }> = [];
    for (const listener of listeners) {
      const scope = listener.config.scope;
      if (listener.group && scope === 'group' && !reportingNode.group) continue;
      const list = scopeList(scope, this.idPrefix);
      if (list && !list.includes(reportingNode.id)) continue;
      let distance = 0;
      if (reportingNode.group) {
        let group = this.groups.get(reportingNode.group);
        while (group && group.id !== listener.group) {
          distance++;
          group = group.g ? this.groups.get(group.g) : undefined;
        }
        if (!group && listener.group && scope === 'group') continue;
      }
      ranked.push({ distance, node: listener });
    }
    ranked.sort((a, b) => a.distance - b.distance);
    return ranked.map((entry) => entry.node);
  }
}

/**
 * The name Node-RED puts in `source.name`: undefined for an empty name, except
 * for the node types whose constructor copies the name as given ("").
 */
function sourceName(node: RuntimeNode): string | undefined {
  const name = node.spec.name;
  if (typeof name === 'string' && name !== '') return name;
  return name === '' && node.definition?.keepsEmptyName === true ? '' : undefined;
}

function catchRank(node: RuntimeNode): number {
  if (Array.isArray(node.config.scope)) return 0;
  return node.config.uncaught === true ? 2 : 1;
}

/** A catch/status/complete `scope` list, mapped to runtime ids inside subflows. */
function scopeList(scope: unknown, idPrefix: string): string[] | null {
  if (!Array.isArray(scope)) return null;
  return scope.filter((id): id is string => typeof id === 'string').map((id) => idPrefix + id);
}

export function describeError(error: unknown, node: RuntimeNode, count: number): Record<string, unknown> {
  const described: Record<string, unknown> = {
    message: errorText(error),
    source: { id: node.id, type: node.type, name: sourceName(node), count },
  };
  if (error && typeof error === 'object') {
    const record = error as Record<string, unknown>;
    if ('code' in record) described.code = record.code;
    if (typeof record.stack === 'string') described.stack = record.stack;
    if ('cause' in record && record.cause !== undefined) described.cause = record.cause;
  }
  return described;
}

/** Node-RED shows `err.toString()`: "Error: message" for Error objects. */
export function errorText(error: unknown): string {
  if (error === undefined || error === null) return '';
  if (error instanceof Error) return error.toString();
  if (typeof error === 'string') return error;
  try {
    return String(error);
  } catch {
    return 'Unprintable error';
  }
}
