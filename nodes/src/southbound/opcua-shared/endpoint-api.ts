import type { NodeApi, NodeStatus } from '@loopedge/runtime';
import type { BrowseEntry, MonitorHandle, StateChange } from './connection.js';
import type { MonitorListener, MonitorRequest } from './monitor.js';
import type { OpcuaSample } from './values.js';
import type { Variant } from 'node-opcua-client';

/** What an opcua-endpoint config node offers the nodes that use it (its handlers' `api`). */
export interface OpcuaEndpointApi {
  readonly endpointUrl: string;
  readonly state: StateChange;
  onState(listener: (change: StateChange) => void): () => void;
  read(nodeIds: readonly string[]): Promise<OpcuaSample[]>;
  write(nodeId: string, value: Variant): Promise<string>;
  dataTypeOf(nodeId: string): Promise<number>;
  browse(nodeId: string): Promise<BrowseEntry[]>;
  monitor(request: MonitorRequest, listener: MonitorListener): MonitorHandle;
}

/** The status a node using the endpoint shows for a connection state. */
export function statusOf(change: StateChange): NodeStatus {
  switch (change.state) {
    case 'connected':
      return { fill: 'green', shape: 'dot', text: 'connected' };
    case 'connecting':
      return { fill: 'yellow', shape: 'ring', text: 'connecting' };
    case 'untrusted':
      return { fill: 'red', shape: 'ring', text: change.detail ?? 'untrusted server certificate' };
    case 'closed':
      return {};
    default:
      return { fill: 'red', shape: 'ring', text: `disconnected${change.detail ? `: ${change.detail}` : ''}`.slice(0, 80) };
  }
}

/**
 * The endpoint a node's `endpoint` property names. Config nodes start first,
 * so a missing one is a flow error: fail the deploy with what to fix.
 */
export function requireEndpoint(node: NodeApi, endpointId: string): OpcuaEndpointApi {
  const api = endpointId ? node.getConfigNode<OpcuaEndpointApi>(endpointId) : undefined;
  if (!api) {
    throw new Error(
      `${node.type} ${node.id}: property "endpoint" ${endpointId ? `names "${endpointId}", which is not a deployed opcua-endpoint node` : 'is empty'}; select an opcua-endpoint configuration`,
    );
  }
  return api;
}

/**
 * Loads the OPC UA stack on first use: only flows with OPC UA nodes pay for it
 * (about a second, and its start-up warnings).
 */
export function loadOpcua(): Promise<typeof import('node-opcua-client')> {
  return import('node-opcua-client');
}

/** Checks NodeId syntax at deploy time (`ns=2;s=Counter`, `i=2258` ...), naming the node and field. */
export async function checkNodeIds(node: NodeApi, field: string, nodeIds: readonly string[]): Promise<void> {
  const { coerceNodeId } = await loadOpcua();
  for (const nodeId of nodeIds) {
    try {
      coerceNodeId(nodeId);
    } catch {
      throw new Error(`${node.type} ${node.id}: ${field} "${nodeId}" is not an OPC UA NodeId; write e.g. ns=2;s=Counter or ns=0;i=2258`);
    }
  }
}

/** NodeIds written one per line (commas may be part of a string NodeId), as admins paste them. */
export function splitNodeIds(text: string | readonly string[]): string[] {
  const parts = typeof text === 'string' ? text.split('\n') : [...text];
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/** A number property (Node-RED stores "5"), checked at deploy time against its lower bound. */
export function numberProperty(node: NodeApi, field: string, value: number | string, min: number): number {
  const n = Number(value);
  if (value === '' || !Number.isFinite(n) || n < min) {
    throw new Error(`${node.type} ${node.id}: ${field} must be a number >= ${min} (got ${JSON.stringify(value)})`);
  }
  return n;
}
