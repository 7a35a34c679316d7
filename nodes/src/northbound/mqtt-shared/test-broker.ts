import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes, type AedesOptions } from 'aedes';

/**
 * A real MQTT broker (aedes) in the test process on 127.0.0.1, port 0 unless
 * given; `stop()` closes it and every client socket (a broker outage), and
 * `start()` brings it back on the same port.
 */
export class TestBroker {
  #server: Server | undefined;
  #broker: Aedes | undefined;
  readonly #sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly options: AedesOptions = {}) {}

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  get broker(): Aedes {
    if (!this.#broker) throw new Error('test broker is not running');
    return this.#broker;
  }

  async start(): Promise<this> {
    const broker = await Aedes.createBroker(this.options);
    const server = createServer((socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
      broker.handle(socket);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.#server = server;
    this.#broker = broker;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    const broker = this.#broker;
    this.#server = undefined;
    this.#broker = undefined;
    for (const socket of this.#sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
  }
}
