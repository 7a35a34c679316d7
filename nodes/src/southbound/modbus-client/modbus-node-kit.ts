import type { NodeApi } from '@loopedge/runtime';
import type { ModbusConnection } from './modbus-connection.js';

/** Pieces modbus-read and modbus-write share: finding the connection, status, number checks. */

export function connectionFor(node: NodeApi, serverId: string): ModbusConnection {
  const connection = serverId ? node.getConfigNode<ModbusConnection>(serverId) : undefined;
  if (!connection) {
    throw new Error(`${node.type} ${node.id}: "server" must name a modbus-client config node${serverId ? `; "${serverId}" is not deployed` : ''}`);
  }
  return connection;
}

/** Mirror the shared connection's state on this node's status; returns the unsubscribe function. */
export function showConnectionStatus(node: NodeApi, connection: ModbusConnection): () => void {
  return connection.onState((state, error) => {
    if (state === 'connected') node.status({ fill: 'green', shape: 'dot', text: 'connected' });
    else node.status({ fill: 'red', shape: 'ring', text: error ? error.message.slice(0, 60) : 'disconnected' });
  });
}

export function integerIn(node: NodeApi, value: number | string, min: number, max: number, field: string): number {
  const n = Number(value);
  if (value === '' || !Number.isInteger(n) || n < min || n > max) throw new Error(`${node.type} ${node.id}: "${field}" must be an integer from ${min} to ${max}, got "${value}"`);
  return n;
}
