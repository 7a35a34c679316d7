/**
 * How the sandbox process is started: the command line that gives it Node's
 * permission model (read access to its own code and the engines' packages
 * only, no writes, no child processes), its own heap cap, an empty
 * environment and, where the OS allows, an empty network namespace.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface LaunchOptions {
  /** Heap cap of the sandbox process's own JavaScript (isolates have their own caps). */
  maxHeapMb: number;
  /** Try to give the process its own network namespace (default true). */
  isolateNetwork: boolean;
  /** JSON config handed to the child as its only argument. */
  childConfig: object;
}

export interface LaunchPlan {
  command: string;
  args: string[];
  /** What protects the host, for the start-up log line and the README. */
  protections: string[];
  /** What is missing on this machine and what remains because of it. */
  gaps: string[];
  networkIsolated: boolean;
}

export type NetworkIsolation = { mode: 'none' } | { mode: 'net' } | { mode: 'user-net' };

const SANDBOX_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const CHILD_ENTRY = join(SANDBOX_DIR, 'child', 'main.js');
/** Young-generation semi-space of the sandbox process, in MB (see planLaunch). */
const SANDBOX_SEMI_SPACE_MB = 1;

/** Absolute path of a package's folder as seen from the runtime, or undefined when it is not installed. */
export function packageDir(name: string): string | undefined {
  try {
    return dirname(createRequire(import.meta.url).resolve(`${name}/package.json`));
  } catch {
    return undefined;
  }
}

/** Which way of getting an empty network namespace works here (tried once per process). */
let probed: Promise<NetworkIsolation> | undefined;
export function probeNetworkIsolation(): Promise<NetworkIsolation> {
  probed ??= (async () => {
    if (process.platform !== 'linux') return { mode: 'none' };
    if (await runs('unshare', ['--net', '--', 'true'])) return { mode: 'net' };
    if (await runs('unshare', ['--user', '--map-root-user', '--net', '--', 'true'])) return { mode: 'user-net' };
    return { mode: 'none' };
  })();
  return probed;
}

function runs(command: string, args: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'ignore', env: {} });
    child.on('error', () => resolve(false));
    child.on('exit', (code) => resolve(code === 0));
  });
}

export function planLaunch(options: LaunchOptions, network: NetworkIsolation): LaunchPlan {
  const readPaths = [SANDBOX_DIR, join(SANDBOX_DIR, '..', '..', 'package.json')];
  const isolatedVm = packageDir('isolated-vm');
  if (isolatedVm) readPaths.push(isolatedVm);
  const pyodide = packageDir('pyodide');
  if (pyodide) readPaths.push(pyodide);
  const nodeArgs = [
    '--no-node-snapshot',
    '--experimental-permission',
    ...readPaths.filter((path) => existsSync(path)).map((path) => `--allow-fs-read=${path}`),
    // Workers host the Python interpreters; addons are isolated-vm itself.
    '--allow-worker',
    '--allow-addons',
    `--max-old-space-size=${options.maxHeapMb}`,
    // A small young generation: most of what this process allocates per
    // message stays referenced until the isolate call carrying it returns, so
    // a scavenge copies nearly the whole young generation. With V8's default
    // (up to 16 MB per semi-space) each scavenge paused this process 5–9 ms,
    // the largest share of a sandboxed function's latency tail; at 1 MB they
    // take ~0.5 ms, with no loss of throughput (measured in the MQTT benchmark).
    `--max-semi-space-size=${SANDBOX_SEMI_SPACE_MB}`,
    '--disable-warning=ExperimentalWarning',
    '--disable-warning=SecurityWarning',
    CHILD_ENTRY,
    JSON.stringify(options.childConfig),
  ];
  const protections = [
    'separate process with an empty environment',
    `file system read-only and limited to the sandbox code${pyodide ? ' and Pyodide' : ''}`,
    'no child processes',
    `own heap cap (${options.maxHeapMb} MB) and a memory cap per isolate`,
  ];
  const gaps: string[] = [];
  if (!options.isolateNetwork || network.mode === 'none') {
    gaps.push(
      options.isolateNetwork
        ? 'no network namespace available (needs root or unprivileged user namespaces): the sandbox process shares the host network; user code still has no socket API in its isolate, but an escape from the isolate could open connections'
        : 'network isolation is switched off: the sandbox process shares the host network',
    );
  } else protections.push('own empty network namespace (no network at all)');
  if (network.mode !== 'none' && options.isolateNetwork) {
    const prefix = network.mode === 'net' ? ['--net'] : ['--user', '--map-root-user', '--net'];
    return { command: 'unshare', args: [...prefix, '--', process.execPath, ...nodeArgs], protections, gaps, networkIsolated: true };
  }
  return { command: process.execPath, args: nodeArgs, protections, gaps, networkIsolated: false };
}
