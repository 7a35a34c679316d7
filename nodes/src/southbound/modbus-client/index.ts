import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { defineNode, NodeName, NumberLike, readmeBeside } from '@loopedge/runtime';
import { ModbusConnection, type SerialLine } from './modbus-connection.js';

export { ModbusConnection } from './modbus-connection.js';

const ModbusClientConfig = Type.Object({
  name: NodeName,
  // `type` is the node's type in flow JSON, so the transport is `clienttype`, as in node-red-contrib-modbus.
  clienttype: Type.Union([Type.Literal('tcp'), Type.Literal('rtu')], { default: 'tcp', description: 'tcp: Modbus TCP; rtu: Modbus RTU over a serial port' }),
  host: Type.String({ default: '', description: 'Host name or IP address of the Modbus TCP device or gateway' }),
  port: NumberLike(502, 'TCP port'),
  unitId: NumberLike(1, 'Modbus unit (slave) id, 0-255'),
  timeout: NumberLike(1000, 'Milliseconds to wait for a connection or an answer'),
  serialPort: Type.String({ default: '', description: 'RTU: serial port, e.g. /dev/ttyUSB0' }),
  serialBaudrate: NumberLike(9600, 'RTU: baud rate'),
  serialParity: Type.Union([Type.Literal('none'), Type.Literal('even'), Type.Literal('odd')], { default: 'none', description: 'RTU: parity' }),
  serialDatabits: NumberLike(8, 'RTU: data bits, 7 or 8'),
  serialStopbits: NumberLike(1, 'RTU: stop bits, 1 or 2'),
});

const BAUD_RATES = [1200, 2400, 4800, 9600, 14400, 19200, 38400, 57600, 115200];

function serialLine(config: Static<typeof ModbusClientConfig>, nodeId: string): SerialLine {
  if (!config.serialPort) throw new Error(`modbus-client ${nodeId}: "serialPort" is empty; set the serial device, e.g. /dev/ttyUSB0 (clienttype "rtu")`);
  const baudRate = Number(config.serialBaudrate);
  if (!BAUD_RATES.includes(baudRate)) throw new Error(`modbus-client ${nodeId}: "serialBaudrate" must be one of ${BAUD_RATES.join(', ')}, got "${config.serialBaudrate}"`);
  const dataBits = Number(config.serialDatabits);
  if (dataBits !== 7 && dataBits !== 8) throw new Error(`modbus-client ${nodeId}: "serialDatabits" must be 7 or 8, got "${config.serialDatabits}"`);
  const stopBits = Number(config.serialStopbits);
  if (stopBits !== 1 && stopBits !== 2) throw new Error(`modbus-client ${nodeId}: "serialStopbits" must be 1 or 2, got "${config.serialStopbits}"`);
  return { path: config.serialPort, baudRate, parity: config.serialParity, dataBits, stopBits };
}

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
    const serial = config.clienttype === 'rtu' ? serialLine(config, node.id) : undefined;
    if (!serial && !config.host) throw new Error(`modbus-client ${node.id}: "host" is empty; set the device's host name or IP address (or clienttype "rtu" with a serial port)`);
    const connection = new ModbusConnection({
      host: config.host,
      port: integerIn(config.port, 1, 65535, 'port', node.id),
      ...(serial ? { serial } : {}),
      unitId: integerIn(config.unitId, 0, 255, 'unitId', node.id),
      timeoutMs: integerIn(config.timeout, 1, 600000, 'timeout', node.id),
    });
    return { api: connection, close: () => connection.close() };
  },
});
