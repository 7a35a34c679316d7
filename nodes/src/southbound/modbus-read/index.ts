import { Type } from '@sinclair/typebox';
import { defineNode, NodeName, NumberLike, readmeBeside, type FlowMessage, type NodeApi } from '@loopedge/runtime';
import { AREAS, decodeRegisters, RegisterFormat, registersPerValue, toFormat, type Area, type Format } from '../modbus-client/modbus-codec.js';
import { connectionFor, integerIn, showConnectionStatus } from '../modbus-client/modbus-node-kit.js';
import type { ModbusConnection } from '../modbus-client/modbus-connection.js';

const ModbusReadConfig = Type.Object({
  name: NodeName,
  server: Type.String({ default: '', description: 'The modbus-client config node' }),
  area: Type.Union(AREAS.map((a) => Type.Literal(a)), { default: 'holding', description: 'holding or input registers, coils or discrete inputs' }),
  address: NumberLike(0, 'First register / bit address (0-based, as on the wire)'),
  quantity: NumberLike(1, 'Number of values to read (a 32-bit value counts once)'),
  interval: NumberLike(1000, 'Milliseconds between reads ("" or 0: read only when a message arrives)'),
  ...RegisterFormat,
});

interface ReadPlan {
  area: Area;
  address: number;
  quantity: number;
  /** Registers (or bits) asked for on the wire. */
  count: number;
  format: Format;
}

async function readOnce(connection: ModbusConnection, plan: ReadPlan): Promise<{ payload: unknown; raw: number[] | boolean[] }> {
  const raw = await connection.read(plan.area, plan.address, plan.count);
  const values = plan.area === 'coil' || plan.area === 'discrete' ? (raw as boolean[]) : decodeRegisters(raw as number[], plan.format);
  return { payload: plan.quantity === 1 ? values[0] : values, raw };
}

function planFrom(node: NodeApi, config: { area: Area; address: number | string; quantity: number | string } & Parameters<typeof toFormat>[0]): ReadPlan {
  const format = toFormat(config, `modbus-read ${node.id}`);
  const address = integerIn(node, config.address, 0, 65535, 'address');
  const quantity = integerIn(node, config.quantity, 1, 2000, 'quantity');
  const bits = config.area === 'coil' || config.area === 'discrete';
  const count = bits ? quantity : quantity * registersPerValue(format.dataType);
  // Protocol limits per request: 125 registers, 2000 bits.
  if (!bits && count > 125) throw new Error(`modbus-read ${node.id}: ${quantity} × ${format.dataType} is ${count} registers; one request reads at most 125`);
  return { area: config.area, address, quantity, count, format };
}

export const modbusReadNode = defineNode({
  type: 'modbus-read',
  category: 'southbound',
  config: ModbusReadConfig,
  inputs: 1,
  outputs: 1,
  editor: { label: 'modbus read', icon: 'bridge.svg', color: '#e9967a', widgets: { server: 'config-node:modbus-client' } },
  helpFile: readmeBeside(import.meta.url),
  create(node, config) {
    const plan = planFrom(node, config);
    const connection = connectionFor(node, config.server);
    const unsubscribe = showConnectionStatus(node, connection);
    const interval = config.interval === '' ? 0 : Number(config.interval);
    if (!Number.isFinite(interval) || interval < 0) throw new Error(`modbus-read ${node.id}: "interval" must be a number of milliseconds ≥ 0, got "${config.interval}"`);

    const where = `${plan.area} ${plan.address}..${plan.address + plan.count - 1} from ${connection.endpoint}`;
    const toMessage = (msg: FlowMessage, result: { payload: unknown; raw: number[] | boolean[] }): FlowMessage => {
      msg.topic ??= node.name || `${plan.area}:${plan.address}`;
      msg.payload = result.payload;
      msg.modbus = { area: plan.area, address: plan.address, quantity: plan.quantity, dataType: plan.format.dataType, raw: result.raw };
      return msg;
    };

    let timer: NodeJS.Timeout | null = null;
    let stopped = false;
    // A device that stays away would log the same error every interval: report changes only.
    let lastError = '';
    const poll = async (): Promise<void> => {
      try {
        const result = await readOnce(connection, plan);
        lastError = '';
        node.send(toMessage({ _msgid: node.newMessageId() }, result));
      } catch (err) {
        const text = `modbus-read ${node.id}: read of ${where} failed: ${err instanceof Error ? err.message : String(err)}`;
        if (text !== lastError && !stopped) node.error(text);
        lastError = text;
      }
      if (!stopped) timer = setTimeout(() => void poll(), interval);
    };
    if (interval > 0) timer = setTimeout(() => void poll(), 0);

    return {
      async input(msg, send) {
        try {
          send(toMessage(msg, await readOnce(connection, plan)));
        } catch (err) {
          throw new Error(`modbus-read ${node.id}: read of ${where} failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      },
      close() {
        stopped = true;
        if (timer) clearTimeout(timer);
        unsubscribe();
      },
    };
  },
});
