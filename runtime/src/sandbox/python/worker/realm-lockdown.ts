/**
 * Hardening of the worker thread's JavaScript realm, the layer under the
 * Python-level lock-down. Pyodide's `jsglobals` is not a security control: a
 * Python caller that gets hold of any JsProxy can walk to JS functions, so
 * this realm must hold nothing worth reaching and must not turn strings into
 * code. (The process's permission model and network namespace are the layers
 * under this one.)
 */
import childProcess from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

function blocked(what: string): () => never {
  return () => {
    throw new Error(`${what} is blocked in the LoopEdge Python sandbox`);
  };
}

type Mutable = Record<string, unknown>;

/**
 * Before loading Pyodide: the permission model denies process.binding, which
 * Emscripten's NODEFS reads constants from; processes must never start (its
 * system() uses child_process.spawnSync); the interpreter's memory is capped.
 */
export function prepareRealm(memoryLimitBytes: number): void {
  const proc = process as unknown as Mutable;
  proc.binding = (name: string) => {
    if (name === 'constants') return { fs: fsConstants };
    throw new Error(`process.binding("${name}") is blocked in the LoopEdge Python sandbox`);
  };

  // Emscripten's system() then reports exit status 126 ("cannot execute"):
  // os.system and ctypes' libc.system get a failure code and nothing runs.
  const cp = childProcess as unknown as Mutable;
  for (const name of ['spawn', 'exec', 'execFile', 'fork', 'execSync', 'execFileSync']) cp[name] = blocked(`child_process.${name}`);
  cp.spawnSync = () => ({ status: 126, signal: null, pid: 0, output: [], stdout: null, stderr: null, error: new Error('blocked') });
  syncBuiltinESMExports();

  // malloc fails (Python MemoryError) instead of the interpreter growing without bound.
  // (lib ES2023 has no WebAssembly types: name the little that is used.)
  interface WasmMemory {
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
  const wasm = (globalThis as unknown as { WebAssembly: { Memory: { prototype: WasmMemory } } }).WebAssembly;
  const memoryPrototype = wasm.Memory.prototype;
  const grow = memoryPrototype.grow;
  memoryPrototype.grow = function cappedGrow(this: WasmMemory, pages: number): number {
    if (this.buffer.byteLength + pages * 65536 > memoryLimitBytes) {
      throw new RangeError(`the Python interpreter reached its memory limit of ${Math.round(memoryLimitBytes / 1048576)} MB`);
    }
    return grow.call(this, pages);
  };
}

/** A stand-in `process`: what Emscripten still reads at run time, nothing else. */
function processStandIn(real: NodeJS.Process): object {
  return Object.freeze({
    platform: real.platform,
    version: real.version,
    versions: Object.freeze({ node: real.versions.node }),
    argv: Object.freeze(['node']),
    env: Object.freeze({}),
    exitCode: undefined,
    browser: undefined,
    getuid: () => 1000,
    umask: () => 0o022,
    binding: blocked('process.binding'),
    cwd: () => '/home/pyodide',
  });
}

/**
 * After loading Pyodide and before any user code: no code from strings (eval,
 * every Function constructor, stack-trace hooks), no `require`/`process`/
 * network globals left behind.
 */
export function lockDownRealm(): void {
  const global = globalThis as unknown as Mutable;
  const fakeProcess = processStandIn(process);

  for (const fn of [function () {}, async function () {}, function* () {}, async function* () {}]) {
    const prototype = Object.getPrototypeOf(fn) as object;
    Object.defineProperty(prototype, 'constructor', { value: blocked('Creating functions from strings'), writable: false, configurable: false });
  }
  Object.defineProperty(globalThis, 'eval', { value: blocked('eval'), writable: false, configurable: false });
  Object.defineProperty(Error, 'prepareStackTrace', { value: undefined, writable: false, configurable: false });

  // Pyodide leaves `require` (fs, crypto, ws, child_process) on the global object.
  for (const name of ['require', 'fetch', 'WebSocket', 'EventSource', 'Request', 'Response', 'Headers', 'FormData', 'navigator', 'SharedWorker']) {
    try {
      delete global[name];
    } catch {
      global[name] = undefined;
    }
  }
  Object.defineProperty(globalThis, 'process', { value: fakeProcess, writable: false, configurable: false });
}
