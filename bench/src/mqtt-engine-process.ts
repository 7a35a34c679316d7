/**
 * An engine under test as a black box: its own OS process started from its
 * CLI the way its own start command does, with the benchmark flow file, and
 * the resident memory of its process tree (LoopEdge's sandbox process for
 * function nodes counts too).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { engineHeapFlags } from '@loopedge/server';
import { freePort } from './mqtt-mosquitto.js';

export type MqttEngineName = 'loopedge' | 'node-red';
export const MQTT_ENGINE_LABELS: Record<MqttEngineName, string> = { loopedge: 'LoopEdge', 'node-red': 'Node-RED 4.1' };

const require = createRequire(import.meta.url);

function rssKiB(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** The pid and every descendant (read from /proc, Linux). */
function processTree(root: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = parents.get(ppid) ?? [];
      list.push(Number(entry));
      parents.set(ppid, list);
    } catch {
      // the process ended meanwhile
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(parents.get(tree[i]!) ?? []));
  return tree;
}

export interface RssSample {
  mainMiB: number;
  treeMiB: number;
}

export class MqttEngineProcess {
  readonly #dir = mkdtempSync(join(tmpdir(), 'loopedge-bench-engine-'));
  #child: ChildProcess | undefined;
  #output = '';
  #sampler: NodeJS.Timeout | undefined;
  peak: RssSample = { mainMiB: 0, treeMiB: 0 };

  constructor(readonly engine: MqttEngineName) {}

  async start(flows: Array<Record<string, unknown>>): Promise<void> {
    const flowFile = join(this.#dir, 'flows.json');
    writeFileSync(flowFile, JSON.stringify(flows, null, 2));
    const port = await freePort();
    const env = { PATH: process.env.PATH, HOME: this.#dir };
    if (this.engine === 'loopedge') {
      const cli = join(dirname(require.resolve('@loopedge/server/package.json')), 'dist', 'cli', 'main.js');
      // With the heap settings `npm start` and `loopedge supervise` give it; Node-RED as its `node-red` command starts it.
      this.#child = spawn(process.execPath, [...engineHeapFlags({}), cli, 'start', '--flows', flowFile, '--data', join(this.#dir, 'data'), '--port', String(port)], { env: { ...env, LOOPEDGE_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    } else {
      const red = join(dirname(require.resolve('node-red/package.json')), 'red.js');
      this.#child = spawn(process.execPath, [red, '--userDir', join(this.#dir, 'node-red'), '--port', String(port), flowFile], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    }
    this.#child.stdout!.on('data', (chunk: Buffer) => this.#keep(chunk));
    this.#child.stderr!.on('data', (chunk: Buffer) => this.#keep(chunk));
    this.sampling(true);
  }

  /** RSS sampling every 100 ms on or off (off while the other engine is measured: the reads cost CPU too). */
  sampling(on: boolean): void {
    if (this.#sampler) clearInterval(this.#sampler);
    this.#sampler = on ? setInterval(() => this.#sample(), 100) : undefined;
  }

  get pid(): number {
    if (!this.#child?.pid) throw new Error(`${MQTT_ENGINE_LABELS[this.engine]} is not running`);
    return this.#child.pid;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** The last lines it wrote, for error messages. */
  get output(): string {
    return this.#output.split('\n').slice(-30).join('\n');
  }

  rss(): RssSample {
    const main = rssKiB(this.pid);
    const tree = processTree(this.pid).reduce((sum, pid) => sum + rssKiB(pid), 0);
    return { mainMiB: main / 1024, treeMiB: tree / 1024 };
  }

  resetPeak(): void {
    this.peak = this.rss();
  }

  async stop(): Promise<void> {
    if (this.#sampler) clearInterval(this.#sampler);
    const child = this.#child;
    if (child && this.running) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.#dir, { recursive: true, force: true });
  }

  #sample(): void {
    if (!this.running) return;
    const now = this.rss();
    this.peak = { mainMiB: Math.max(this.peak.mainMiB, now.mainMiB), treeMiB: Math.max(this.peak.treeMiB, now.treeMiB) };
  }

  #keep(chunk: Buffer): void {
    this.#output = (this.#output + chunk.toString()).slice(-20_000);
  }
}
