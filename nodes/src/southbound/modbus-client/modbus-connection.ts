import { createRequire } from 'node:module';
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js';
import type { Area } from './modbus-codec.js';

/**
 * One Modbus connection (TCP, or RTU over a serial line), shared by every node that uses the same
 * modbus-client config node. Requests run one at a time (many devices answer
 * only one transaction at once). A failed request drops the socket; the next
 * request connects again, so a device that comes back is picked up by the
 * next poll without any extra timer.
 */

// modbus-serial is CommonJS whose typings declare a default export it does not
// have at run time under ESM interop; require() gives the class itself. It is
// required on the first connect, not at import: it pulls in serialport and its
// native bindings, memory every LoopEdge without a Modbus node would pay.
let modbusClientClass: typeof ModbusRTU | undefined;
function loadModbusClient(): typeof ModbusRTU {
  modbusClientClass ??= createRequire(import.meta.url)('modbus-serial') as typeof ModbusRTU;
  return modbusClientClass;
}

/** Modbus RTU over a serial line (RS-485/RS-232 adapter): the port and its line settings. */
export interface SerialLine {
  path: string;
  baudRate: number;
  parity: 'none' | 'even' | 'odd';
  dataBits: 7 | 8;
  stopBits: 1 | 2;
}

export interface ConnectionOptions {
  /** Modbus TCP: host and port (ignored when `serial` is set). */
  host: string;
  port: number;
  /** Modbus RTU: the serial line instead of TCP. */
  serial?: SerialLine;
  unitId: number;
  timeoutMs: number;
}

export type ConnectionState = 'connected' | 'disconnected';

export class ModbusConnection {
  #client: ModbusRTU | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  readonly #listeners = new Set<(state: ConnectionState, error?: Error) => void>();

  constructor(readonly options: ConnectionOptions) {}

  get endpoint(): string {
    const { serial } = this.options;
    const where = serial ? `${serial.path} (RTU ${serial.baudRate} ${serial.dataBits}${serial.parity[0]!.toUpperCase()}${serial.stopBits})` : `${this.options.host}:${this.options.port}`;
    return `${where} unit ${this.options.unitId}`;
  }

  /** Connection state changes (for node status); returns the unsubscribe function. */
  onState(listener: (state: ConnectionState, error?: Error) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Read `quantity` registers (numbers) or bits (booleans) from `area` at `address`. */
  read(area: Area, address: number, quantity: number): Promise<number[] | boolean[]> {
    return this.#run(async (client) => {
      switch (area) {
        case 'holding': return (await client.readHoldingRegisters(address, quantity)).data;
        case 'input': return (await client.readInputRegisters(address, quantity)).data;
        case 'coil': return (await client.readCoils(address, quantity)).data.slice(0, quantity);
        case 'discrete': return (await client.readDiscreteInputs(address, quantity)).data.slice(0, quantity);
      }
    });
  }

  writeRegisters(address: number, registers: number[]): Promise<void> {
    return this.#run(async (client) => {
      // FC6 for one register: some devices do not implement FC16.
      if (registers.length === 1) await client.writeRegister(address, registers[0]!);
      else await client.writeRegisters(address, registers);
    });
  }

  writeCoils(address: number, states: boolean[]): Promise<void> {
    return this.#run(async (client) => {
      if (states.length === 1) await client.writeCoil(address, states[0]!);
      else await client.writeCoils(address, states);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#queue.catch(() => undefined);
    this.#drop();
  }

  #run<T>(request: (client: ModbusRTU) => Promise<T>): Promise<T> {
    const result = this.#queue.catch(() => undefined).then(async () => {
      if (this.#closed) throw new Error(`the connection to ${this.endpoint} is closed (the flow is stopping)`);
      const client = await this.#connect();
      try {
        return await request(client);
      } catch (err) {
        // A timed-out or broken transaction leaves the stream in an unknown state.
        this.#drop(describe(err, this.options.timeoutMs));
        throw new Error(describe(err, this.options.timeoutMs));
      }
    });
    this.#queue = result;
    return result;
  }

  async #connect(): Promise<ModbusRTU> {
    if (this.#client?.isOpen) return this.#client;
    this.#drop();
    const ModbusClient = loadModbusClient();
    const client = new ModbusClient();
    try {
      const { serial } = this.options;
      // Buffered RTU: the answer is assembled from however many chunks the serial driver delivers.
      if (serial) await client.connectRTUBuffered(serial.path, { baudRate: serial.baudRate, parity: serial.parity, dataBits: serial.dataBits, stopBits: serial.stopBits });
      else await client.connectTCP(this.options.host, { port: this.options.port, timeout: this.options.timeoutMs });
    } catch (err) {
      client.close(() => undefined);
      const error = new Error(`cannot connect to ${this.endpoint}: ${describe(err, this.options.timeoutMs)}`);
      this.#emit('disconnected', error);
      throw error;
    }
    client.setID(this.options.unitId);
    client.setTimeout(this.options.timeoutMs);
    this.#client = client;
    this.#emit('connected');
    return client;
  }

  #drop(reason?: string): void {
    if (!this.#client) return;
    const client = this.#client;
    this.#client = null;
    client.close(() => undefined);
    this.#emit('disconnected', reason ? new Error(reason) : undefined);
  }

  #emit(state: ConnectionState, error?: Error): void {
    for (const listener of this.#listeners) listener(state, error);
  }
}

function describe(err: unknown, timeoutMs: number): string {
  if (err instanceof Error || (typeof err === 'object' && err !== null && 'message' in err)) {
    const e = err as { message: string; name?: string; modbusCode?: number; errno?: string };
    if (e.message === 'Timed out' || e.errno === 'ETIMEDOUT') return `no answer within ${timeoutMs} ms`;
    if (e.modbusCode !== undefined) return `the device answered with Modbus exception ${e.modbusCode} (${e.message})`;
    return e.message;
  }
  return String(err);
}
