/**
 * Entry of one python-function node's worker thread: loads Pyodide (from a
 * memory snapshot when there is one), installs /dev/loopedge, locks down
 * Python and this realm, compiles the node's code and runs On Start, then runs
 * message batches on request. One interpreter per node, one node per worker.
 */
import { parentPort, workerData, receiveMessageOnPort } from 'node:worker_threads';
import { BridgeDevice, type EmscriptenFs } from './bridge-device.js';
import { buildFrame, type PyValue } from './frames.js';
import { prepareRealm, lockDownRealm } from './realm-lockdown.js';
import { PYTHON_BRIDGE } from './prelude-bridge.js';
import { PYTHON_NODE_API } from './prelude-node-api.js';
import { PYTHON_RUNNER } from './prelude-runner.js';
import { PYTHON_LOCKDOWN } from './prelude-lockdown.js';
import { encodeWireValue, pyToWire, wireToPy } from '../value-codec.js';
import { CONTROL, type HostCall, type HostReply, type MainToWorker, type PythonWorkerData, type WorkerErrorDetail, type WorkerEvent, type WorkerToMain } from '../protocol.js';

interface PyCallable {
  (...args: unknown[]): unknown;
}

const data = workerData as PythonWorkerData;
const port = parentPort!;
const control = new Int32Array(data.control);
/** Events are posted in groups: at the end of a batch, before a context call, and every few ms. */
const FLUSH_INTERVAL_MS = 2;

let events: WorkerEvent[] = [];
/** Lines printed by the running message (or On Start / On Stop). */
let printed = 0;
let lastFlush = Date.now();
let closing = false;

function post(message: WorkerToMain, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

function flush(): void {
  lastFlush = Date.now();
  if (events.length === 0) return;
  const batch = events;
  events = [];
  post({ type: 'events', events: batch });
}

function encodeOutputs(value: PyValue | undefined): Uint8Array | undefined {
  return value ? pyToWire(value) : undefined;
}

/** The failed message travels with its error only if it still fits the wire format. */
function encodeOrSkip(value: PyValue): Uint8Array | undefined {
  try {
    return encodeOutputs(value);
  } catch {
    return undefined;
  }
}

function asDetail(value: unknown): WorkerErrorDetail {
  const detail = (value ?? {}) as Partial<WorkerErrorDetail>;
  return {
    message: typeof detail.message === 'string' ? detail.message : 'the Python code failed',
    ...(typeof detail.name === 'string' ? { name: detail.name } : {}),
    ...(typeof detail.stack === 'string' ? { stack: detail.stack } : {}),
    ...(typeof detail.line === 'number' ? { line: detail.line } : {}),
    ...(typeof detail.column === 'number' ? { column: detail.column } : {}),
    ...(detail.timedOut === true ? { timedOut: true } : {}),
  };
}

/** A context call: post it, block this thread until the main thread answers, hand Python the reply. */
function hostCall(call: HostCall): Uint8Array {
  flush();
  Atomics.store(control, CONTROL.hostReply, 0);
  post({ type: 'host-call', call });
  const waited = Atomics.wait(control, CONTROL.hostReply, 0, data.limits.hostCallTimeoutMs);
  const received = waited === 'timed-out' ? undefined : receiveMessageOnPort(data.replyPort);
  const reply = received?.message as HostReply | undefined;
  if (!reply) return buildFrame({ error: `the runtime did not answer ${call.op} within ${data.limits.hostCallTimeoutMs} ms` });
  if (!reply.ok) return buildFrame({ error: reply.error });
  return reply.value ? buildFrame({}, wireToPy(reply.value)) : buildFrame({});
}

function contextCall(c: Record<string, unknown>, value: PyValue | undefined): Uint8Array {
  const scope = c.scope === 'flow' || c.scope === 'global' ? c.scope : 'node';
  const store = typeof c.store === 'string' ? c.store : undefined;
  const keys = Array.isArray(c.keys) ? c.keys.filter((k): k is string => typeof k === 'string') : [];
  if (c.op === 'context-get') return hostCall({ op: 'context-get', scope, keys, ...(store ? { store } : {}) });
  if (c.op === 'context-keys') return hostCall({ op: 'context-keys', scope, ...(store ? { store } : {}) });
  const values = value ? pyToWire(value) : encodeWireValue([]);
  return hostCall({ op: 'context-set', scope, keys, values, ...(store ? { store } : {}) });
}

const LEVELS = new Set(['info', 'warn', 'error', 'debug', 'trace']);

const device = new BridgeDevice({
  onMessageStart(seq) {
    // An interrupt meant for the previous message must not hit this one.
    Atomics.store(control, CONTROL.interrupt, 0);
    printed = 0;
    Atomics.store(control, CONTROL.runningSeq, seq);
  },
  onFrame(c, value) {
    try {
      switch (c.op) {
        case 'result': {
          Atomics.store(control, CONTROL.runningSeq, 0);
          const seq = Number(c.seq);
          if (c.error !== undefined) {
            const msg = value ? encodeOrSkip(value) : undefined;
            events.push({ kind: 'result', seq, error: asDetail(c.error), ...(msg ? { msg } : {}) });
          } else {
            const outputs = encodeOutputs(value);
            events.push(outputs ? { kind: 'result', seq, outputs } : { kind: 'result', seq });
          }
          if (Date.now() - lastFlush >= FLUSH_INTERVAL_MS) flush();
          return;
        }
        case 'send': {
          const outputs = encodeOutputs(value);
          if (outputs) events.push({ kind: 'send', seq: Number(c.seq), outputs });
          return;
        }
        case 'error': {
          const msg = value ? encodeOutputs(value) : undefined;
          events.push({ kind: 'error', name: String(c.name ?? 'Error'), message: String(c.message ?? ''), ...(msg ? { msg } : {}) });
          return;
        }
        case 'log':
          events.push({ kind: 'log', level: LEVELS.has(String(c.level)) ? (c.level as 'info') : 'info', text: String(c.text) });
          return;
        case 'status':
          events.push({ kind: 'status', status: (c.status ?? {}) as { text?: string } });
          return;
        case 'initialize-done':
        case 'finalize-done':
          events.push({ kind: c.op });
          return;
        case 'initialize-failed':
        case 'finalize-failed':
          events.push({ kind: c.op, error: asDetail(c.error) });
          return;
        case 'context-get':
        case 'context-set':
        case 'context-keys':
          device.setReply(contextCall(c, value));
          return;
        case 'env-get':
          device.setReply(hostCall({ op: 'env-get', name: String(c.name) }));
          return;
        default:
          events.push({ kind: 'log', level: 'warn', text: `ignored an unknown request from the Python code (${String(c.op)})` });
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (String(c.op).startsWith('context-') || c.op === 'env-get') device.setReply(buildFrame({ error: message }));
      else events.push({ kind: 'log', level: 'error', text: `could not pass on ${String(c.op)}: ${message}` });
    }
  },
});

async function start(): Promise<{ runMessages: PyCallable; close: PyCallable }> {
  prepareRealm(data.limits.memoryLimitBytes);
  const { loadPyodide } = await import('pyodide');
  // print() is capped per message like node.log: a print loop must not flood the runtime's log.
  const stdout = (level: 'info' | 'warn') => ({
    batched: (line: string) => {
      printed++;
      if (printed > data.limits.maxLogs) {
        if (printed === data.limits.maxLogs + 1) events.push({ kind: 'log', level: 'warn', text: `more printed lines from this message were dropped (limit ${data.limits.maxLogs})` });
        return;
      }
      events.push({ kind: 'log', level, text: line.length > data.limits.maxLogChars ? line.slice(0, data.limits.maxLogChars) : line });
    },
  });
  const py = await loadPyodide({
    env: { HOME: '/home/pyodide' },
    // The `js` module is this empty object, not globalThis (and it is unregistered below).
    jsglobals: Object.create(null) as object,
    ...(data.snapshot ? { _loadSnapshot: data.snapshot } : {}),
    ...(data.makeSnapshot ? { _makeSnapshot: true } : {}),
  });
  if (data.makeSnapshot) {
    const snapshot = py.makeMemorySnapshot();
    post({ type: 'snapshot', snapshot }, [snapshot.buffer as ArrayBuffer]);
  }
  py.setStdout(stdout('info'));
  py.setStderr(stdout('warn'));
  py.setInterruptBuffer(new Int32Array(data.control, CONTROL.interrupt * 4, 1));

  const fs = py.FS as unknown as EmscriptenFs & { mount: unknown; unmount: unknown; filesystems: Record<string, unknown> };
  device.install(fs);
  py.runPython(PYTHON_BRIDGE + PYTHON_NODE_API + PYTHON_RUNNER);
  fs.unlink('/dev/loopedge');
  const setup = py.globals.get('_setup') as PyCallable;
  const runMessages = py.globals.get('_run_messages') as PyCallable;
  const close = py.globals.get('_close') as PyCallable;
  py.runPython(PYTHON_LOCKDOWN);

  // No new mounts (NODEFS would reach the host's files), no JS API left on the module.
  const noMount = () => {
    throw new fs.ErrnoError(63);
  };
  fs.mount = noMount;
  fs.unmount = noMount;
  delete fs.filesystems.NODEFS;
  const api = py as unknown as Record<string, unknown>;
  for (const name of ['mountNodeFS', 'mountNativeFS', 'loadPackage', 'loadPackagesFromImports', 'registerJsModule', 'pyimport', 'runPython', 'runPythonAsync']) {
    api[name] = undefined;
  }
  lockDownRealm();

  const compileError = setup(
    JSON.stringify({
      nodeId: data.nodeId,
      name: data.name,
      func: data.func,
      initialize: data.initialize,
      finalize: data.finalize,
      outputs: data.outputs,
      limits: {
        max_value_bytes: data.limits.maxValueBytes,
        max_sends: data.limits.maxSends,
        max_logs: data.limits.maxLogs,
        max_log_chars: data.limits.maxLogChars,
      },
    }),
  );
  if (typeof compileError === 'string') {
    flush();
    post({ type: 'compile-error', error: JSON.parse(compileError) as WorkerErrorDetail });
    return { runMessages, close };
  }
  flush();
  post({ type: 'ready' });
  return { runMessages, close };
}

function fatal(error: unknown): void {
  const seq = Atomics.load(control, CONTROL.runningSeq);
  flush();
  const message = error instanceof Error ? error.message : String(error);
  // A Python traceback ends with the exception itself.
  const lines = message.split('\n').filter((line) => line.trim() !== '');
  post({ type: 'fatal', seq, message: `the Python interpreter stopped working: ${lines[lines.length - 1] ?? 'unknown error'}` });
}

let running = false;

function runQueued(runMessages: PyCallable): void {
  if (running || closing) return;
  running = true;
  try {
    while (device.queued > 0) runMessages();
  } catch (error) {
    fatal(error);
  } finally {
    running = false;
    Atomics.store(control, CONTROL.runningSeq, 0);
    flush();
  }
}

start().then(
  ({ runMessages, close }) => {
    port.on('message', (message: MainToWorker) => {
      if (message.type === 'run') {
        for (const item of message.items) {
          try {
            device.enqueue(item.seq, buildFrame({ seq: item.seq }, wireToPy(item.msg)));
          } catch (error) {
            events.push({ kind: 'result', seq: item.seq, error: { message: `the message could not be handed to Python: ${String(error)}` } });
          }
        }
        setImmediate(() => runQueued(runMessages));
      } else if (message.type === 'close') {
        closing = true;
        try {
          close();
        } catch (error) {
          fatal(error);
        }
        flush();
        post({ type: 'closed' });
      }
    });
  },
  (error: unknown) => fatal(error),
);
