import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/**
 * Debian's Mosquitto (apt package `mosquitto`) on a free 127.0.0.1 port,
 * anonymous, no persistence, no per-client queue limits (a slow subscriber
 * must not lose QoS 0 messages at the broker, so tests see only our losses).
 */
export class TestMosquitto {
  readonly #dir = mkdtempSync(join(tmpdir(), 'loopedge-mosquitto-'));
  #child: ChildProcess | undefined;
  port = 0;

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    if (this.port === 0) this.port = await freePort();
    const config = join(this.#dir, 'mosquitto.conf');
    writeFileSync(config, ['allow_anonymous true', 'persistence false', 'max_queued_messages 0', 'max_queued_bytes 0', `listener ${this.port} 127.0.0.1`, ''].join('\n'));
    chmodSync(this.#dir, 0o755);
    chmodSync(config, 0o644);
    this.#child = spawn('mosquitto', ['-c', config], { stdio: 'ignore' });
    for (let i = 0; i < 400; i++) {
      if (await accepting(this.port)) return this;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`mosquitto did not start on port ${this.port} (is the apt package "mosquitto" installed?)`);
  }

  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
