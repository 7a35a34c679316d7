import { Type } from '@sinclair/typebox';
import { defineNode, NodeName, NumberLike, readmeBeside } from '@loopedge/runtime';
import { ModbusConnection } from './modbus-connection.js';

export { ModbusConnection } from './modbus-connection.js';

const ModbusClientConfig = Type.Object({
  name: NodeName,
  host: Type.String({ default: '', description: 'Host name or IP address of the Modbus TCP device or gateway' }),
  port: NumberLike(502, 'TCP port'),
  unitId: NumberLike(1, 'Modbus unit (slave) id, 0-255'),
  timeout: NumberLike(1000, 'Milliseconds to wait for a connection or an answer'),
});

function integerIn(value: number | string, min: number, max: number, field: string, nodeId: string): number {
  const n = Number(value);
  if (value === '' || !Number.isInteger(n) || n < min || n > max) throw new Error(`modbus-client ${nodeId}: "${field}" must be an integer from ${min} to ${max}, got "${value}"`);
  return n;
}

export const modbusClientNode = defineNode({
  type: 'modbus-client',
  category: 'config',
  configNode: true,
  config: ModbusClientConfig,
  inputs: 0,
  outputs: 0,
  editor: { label: 'modbus client', icon: 'bridge.svg', color: '#e9967a' },
  helpFile: readmeBeside(import.meta.url),
  create(node, config) {
    if (!config.host) throw new Error(`modbus-client ${node.id}: "host" is empty; set the device's host name or IP address`);
    const connection = new ModbusConnection({
      host: config.host,
      port: integerIn(config.port, 1, 65535, 'port', node.id),
      unitId: integerIn(config.unitId, 0, 255, 'unitId', node.id),
      timeoutMs: integerIn(config.timeout, 1, 600000, 'timeout', node.id),
    });
    return { api: connection, close: () => connection.close() };
  },
});
