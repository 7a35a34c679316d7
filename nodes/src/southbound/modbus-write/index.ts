import { Type } from '@sinclair/typebox';
import { defineNode, NodeName, NumberLike, readmeBeside } from '@loopedge/runtime';
import { encodeValues, RegisterFormat, toFormat } from '../modbus-client/modbus-codec.js';
import { connectionFor, integerIn, showConnectionStatus } from '../modbus-client/modbus-node-kit.js';

const ModbusWriteConfig = Type.Object({
  name: NodeName,
  server: Type.String({ default: '', description: 'The modbus-client config node' }),
  area: Type.Union([Type.Literal('holding'), Type.Literal('coil')], { default: 'holding', description: 'Write holding registers or coils' }),
  address: NumberLike(0, 'First register / coil address (0-based, as on the wire)'),
  ...RegisterFormat,
});

function asNumber(value: unknown, nodeId: string): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new Error(`modbus-write ${nodeId}: msg.payload must be a number or an array of numbers for registers, got ${JSON.stringify(value)}`);
  return n;
}

function asBoolean(value: unknown, nodeId: string): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 0 || value === 1) return value === 1;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new Error(`modbus-write ${nodeId}: msg.payload must be a boolean (or 0/1) or an array of them for coils, got ${JSON.stringify(value)}`);
}

export const modbusWriteNode = defineNode({
  type: 'modbus-write',
  category: 'southbound',
  config: ModbusWriteConfig,
  inputs: 1,
  outputs: 1,
  editor: { label: 'modbus write', icon: 'bridge.svg', color: '#e9967a', widgets: { server: 'config-node:modbus-client' } },
  helpFile: readmeBeside(import.meta.url),
  create(node, config) {
    const format = toFormat(config, `modbus-write ${node.id}`);
    const address = integerIn(node, config.address, 0, 65535, 'address');
    const connection = connectionFor(node, config.server);
    const unsubscribe = showConnectionStatus(node, connection);
    return {
      async input(msg, send) {
        const values = Array.isArray(msg.payload) ? (msg.payload as unknown[]) : [msg.payload];
        if (values.length === 0) throw new Error(`modbus-write ${node.id}: msg.payload is an empty array; nothing to write`);
        const where = `${config.area} at ${address} on ${connection.endpoint}`;
        try {
          if (config.area === 'coil') {
            await connection.writeCoils(address, values.map((v) => asBoolean(v, node.id)));
          } else {
            let registers: number[];
            try {
              registers = encodeValues(values.map((v) => asNumber(v, node.id)), format);
            } catch (err) {
              throw new Error(`modbus-write ${node.id}: ${err instanceof Error ? err.message : String(err)}`);
            }
            await connection.writeRegisters(address, registers);
          }
        } catch (err) {
          const text = err instanceof Error ? err.message : String(err);
          throw new Error(text.startsWith('modbus-write') ? text : `modbus-write ${node.id}: write of ${where} failed: ${text}`);
        }
        send(msg);
      },
      close() {
        unsubscribe();
      },
    };
  },
});
