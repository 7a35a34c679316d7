import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Debian's Mosquitto (apt package `mosquitto`, installed by .ci/run) as the
// external broker of tests and benchmarks: one wrapper for every package.

export interface MosquittoOptions {
  /** Keep sessions (a clean=false subscriber and its queued QoS 1/2 messages) across stop/start. */
  persistent?: boolean;
  /** More mosquitto.conf lines (e.g. `set_tcp_nodelay true`). */
  extraConfig?: readonly string[];
}

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
 * Mosquitto on a free 127.0.0.1 port, anonymous, without per-client queue or
 * in-flight limits (a slow subscriber must not lose messages at the broker, so
 * a test sees only our losses). stop() then start() is an outage on the same port.
 */
export class Mosquitto {
  readonly dir = mkdtempSync(join(tmpdir(), 'loopedge-mosquitto-'));
  #child: ChildProcess | undefined;
  port = 0;

  constructor(private readonly options: MosquittoOptions = {}) {}

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    if (this.port === 0) this.port = await freePort();
    const config = join(this.dir, 'mosquitto.conf');
    const lines = ['allow_anonymous true', 'max_queued_messages 0', 'max_queued_bytes 0', 'max_inflight_messages 0', `listener ${this.port} 127.0.0.1`, ...(this.options.extraConfig ?? [])];
    if (this.options.persistent) lines.push('persistence true', `persistence_location ${this.dir}/`);
    else lines.push('persistence false');
    writeFileSync(config, `${lines.join('\n')}\n`);
    // Started as root, Mosquitto drops to its own user: it must still read here (and write, with persistence).
    chmodSync(this.dir, this.options.persistent ? 0o777 : 0o755);
    chmodSync(config, 0o644);
    this.#child = spawn('mosquitto', ['-c', config], { stdio: 'ignore' });
    for (let i = 0; i < 400; i++) {
      if (await accepting(this.port)) return this;
      if (this.#child.exitCode !== null) break;
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
