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

export function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/**
 * Debian's Mosquitto for the benchmark: 127.0.0.1, anonymous, no persistence,
 * no per-client queue limits (so the broker holds what a slow subscriber has
 * not read yet, and losses, if any, are the engines'), and Nagle's algorithm
 * off: with it, a small publish can wait for the delayed ACK of the previous
 * one (40 ms on Linux), which puts the same ~40 ms into both engines' p99 and
 * hides the difference the latency target is about.
 */
export class BenchMosquitto {
  readonly #dir = mkdtempSync(join(tmpdir(), 'loopedge-bench-mosquitto-'));
  #child: ChildProcess | undefined;
  port = 0;

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  async start(): Promise<void> {
    this.port = await freePort();
    const config = join(this.#dir, 'mosquitto.conf');
    writeFileSync(config, ['allow_anonymous true', 'persistence false', 'max_queued_messages 0', 'max_queued_bytes 0', 'set_tcp_nodelay true', `listener ${this.port} 127.0.0.1`, ''].join('\n'));
    chmodSync(this.#dir, 0o755);
    chmodSync(config, 0o644);
    this.#child = spawn('mosquitto', ['-c', config], { stdio: 'ignore' });
    for (let i = 0; i < 400; i++) {
      if (await accepting(this.port)) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`mosquitto did not start on port ${this.port}; install the apt package "mosquitto"`);
  }

  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
