import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function freePort(): Promise<number> {
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
 * Debian's Mosquitto (apt package `mosquitto`) on 127.0.0.1, anonymous, no
 * per-client queue limits; with `persistent`, sessions (a subscriber's
 * clean=false subscription and its queued QoS 1 messages) survive stop/start.
 * stop() then start() is a broker outage on the same port.
 */
export class MosquittoProcess {
  readonly dir = mkdtempSync(join(tmpdir(), 'loopedge-mosquitto-'));
  #child: ChildProcess | undefined;
  port = 0;

  constructor(private readonly persistent = false) {}

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.port === 0) this.port = await freePort();
    const config = join(this.dir, 'mosquitto.conf');
    const lines = ['allow_anonymous true', 'max_queued_messages 0', 'max_queued_bytes 0', 'max_inflight_messages 0', `listener ${this.port} 127.0.0.1`];
    if (this.persistent) lines.push('persistence true', `persistence_location ${this.dir}/`);
    else lines.push('persistence false');
    writeFileSync(config, `${lines.join('\n')}\n`);
    // Started as root, Mosquitto drops to its own user: it must still read (and with persistence write) here.
    chmodSync(this.dir, 0o777);
    chmodSync(config, 0o644);
    this.#child = spawn('mosquitto', ['-c', config], { stdio: 'ignore' });
    for (let i = 0; i < 400; i++) {
      if (await accepting(this.port)) return;
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
    rmSync(this.dir, { recursive: true, force: true });
  }
}
