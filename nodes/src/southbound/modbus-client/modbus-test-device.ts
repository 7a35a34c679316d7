import { createRequire } from 'node:module';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { IServiceVector, ServerTCP } from 'modbus-serial/ServerTCP.js';

/**
 * A real Modbus TCP device for tests: modbus-serial's ServerTCP on 127.0.0.1,
 * backed by plain arrays the test reads and writes. It answers only `unitId`
 * (others get no answer, as from a gateway with nothing behind that id).
 */

const { ServerTCP: ServerTCPClass } = createRequire(import.meta.url)('modbus-serial') as { ServerTCP: typeof ServerTCP };

/** ServerTCP keeps its net.Server here; the port is needed when listening on port 0. */
interface ServerTCPInternals {
  _server: Server;
  socks: Map<Socket, 0>;
}

export class TestModbusDevice {
  readonly holding = new Array<number>(200).fill(0);
  readonly input = new Array<number>(200).fill(0);
  readonly coils = new Array<boolean>(200).fill(false);
  readonly discrete = new Array<boolean>(200).fill(false);
  port = 0;
  #server: ServerTCP | null = null;

  constructor(readonly unitId = 1) {}

  /** Listen on `port` (0 = any free port; a fixed one to come back after stop()). */
  async start(port = 0): Promise<number> {
    const vector: IServiceVector = {
      getHoldingRegister: (addr: number) => this.holding[addr] ?? 0,
      getInputRegister: (addr: number) => this.input[addr] ?? 0,
      getCoil: (addr: number) => this.coils[addr] ?? false,
      getDiscreteInput: (addr: number) => this.discrete[addr] ?? false,
      setRegister: (addr: number, value: number) => {
        this.holding[addr] = value;
      },
      setCoil: (addr: number, value: boolean) => {
        this.coils[addr] = value;
      },
    };
    // ServerTCP turns port 0 into 502, so ask the system for a free port first.
    const listenPort = port || (await freePort());
    const server = new ServerTCPClass(vector, { host: '127.0.0.1', port: listenPort, unitID: this.unitId });
    await new Promise<void>((resolve, reject) => {
      server.on('initialized', () => resolve());
      server.on('serverError', reject);
    });
    this.#server = server;
    this.port = ((server as unknown as ServerTCPInternals)._server.address() as AddressInfo).port;
    return this.port;
  }

  /** Stop listening and drop every client connection (a device switched off). */
  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = null;
    for (const socket of (server as unknown as ServerTCPInternals).socks.keys()) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
