/**
 * The code that runs first inside every function node's isolate: it builds
 * Node-RED's function API (msg, node, context/flow/global, env, timers,
 * Buffer, console, util, RED.util) on top of ONE capability, a reference to a
 * host function for synchronous requests, captured in this closure and never
 * reachable from user code. Everything else leaves the isolate as data in the
 * outbox, which each entry call returns and the engine checks before use.
 *
 * Self-contained: the engine injects this function's source text into the
 * isolate (see bootstrapSource), so it must not use anything outside itself.
 *
 * Outbox entries (all plain data):
 *   ['send', json, binaries]                     encoded outputs array (one entry per output)
 *   ['done', runId(, json, binaries)]            message completed (with the message when asked for)
 *   ['fail', runId, errorInfo, json|null, bins]  message failed; the message as the code left it
 *   ['log', level, text]
 *   ['status', {fill, shape, text}]
 *   ['error', errorInfo, json|null, bins]        node.error(err, msg)
 *   ['timer', id, delayMs] / ['untimer', id]     host-driven timers
 *   ['init', ok, errorInfo|null]                 On Start finished
 */
import type { ValueCodec, ValueCodecOptions } from '../../value-codec.js';
import type { IsolateBufferClass } from './isolate-buffer.js';
import type { ByteEncodings } from './isolate-encodings.js';
import type { createContextApi } from './isolate-context-api.js';
import type { createIsolateUtilities } from './isolate-utilities.js';
import type { createIsolateTimers } from './isolate-timers.js';
import type { createErrorText } from './isolate-error-text.js';
import type { parseRunBatchIds } from './run-batch-ids.js';

/** What the engine tells the bootstrap about the node and its limits. */
export interface BootstrapConfig {
  nodeId: string;
  name: string;
  outputs: number;
  /** The code calls node.done() itself (Node-RED's check of the source). */
  usesDone: boolean;
  /** Script name of the user's code in stack traces. */
  filename: string;
  maxValueBytes: number;
  maxDepth: number;
  maxSendsPerMessage: number;
  maxLogsPerMessage: number;
  maxLogChars: number;
  maxTimers: number;
}

/** The operations the engine invokes through the entry function. */
export type EntryOp = 'code' | 'init' | 'run' | 'timers' | 'close' | 'drain';

type Outbox = unknown[][];
type HostReference = { applySyncPromise(receiver: undefined, args: unknown[], options: unknown): unknown };
type UserFunction = (...args: unknown[]) => unknown;
type Callback = (...args: unknown[]) => unknown;

/** The self-contained factories the bootstrap is given (each injected as source text). */
export interface BootstrapFactories {
  createValueCodec: (options: ValueCodecOptions) => ValueCodec;
  createIsolateBuffer: (encodings: ByteEncodings) => IsolateBufferClass;
  createByteEncodings: () => ByteEncodings;
  createContextApi: typeof createContextApi;
  createIsolateUtilities: typeof createIsolateUtilities;
  createIsolateTimers: typeof createIsolateTimers;
  createErrorText: typeof createErrorText;
  parseRunBatchIds: typeof parseRunBatchIds;
}

export function isolateBootstrap(hostRef: HostReference, factories: BootstrapFactories, configText: string): (op: EntryOp, a?: unknown, b?: unknown, c?: unknown) => Outbox {
  'use strict';
  const { createValueCodec, createIsolateBuffer, createByteEncodings, createContextApi, createIsolateUtilities, createIsolateTimers, createErrorText, parseRunBatchIds } = factories;
  const config = JSON.parse(configText) as BootstrapConfig;
  const g = globalThis as unknown as Record<string, unknown>;
  const reflectApply = Reflect.apply;
  const applySyncPromise = hostRef.applySyncPromise;
  const isArray = Array.isArray;
  const parseJson = JSON.parse;
  const PromiseCtor = Promise;
  const promiseThen = Promise.prototype.then;
  const MapCtor = Map;
  const freeze = Object.freeze;
  const defineProperty = Object.defineProperty;
  const ErrorCtor = Error;

  const Buffer = createIsolateBuffer(createByteEncodings());
  const codec = createValueCodec({
    limits: { maxBytes: config.maxValueBytes, maxDepth: config.maxDepth },
    isBuffer: (value) => value instanceof Buffer,
    makeBuffer: (bytes) => new Buffer(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength),
  });

  // ---- the outbox: everything that leaves the isolate, in order ----
  const outbox: Outbox = [];
  const emit = (entry: unknown[]): void => {
    outbox[outbox.length] = entry;
  };
  let consoleLines = 0;

  /** A synchronous request to the runtime; pending outbox entries go first so order is kept. */
  function hostRequest(kind: string, args: unknown[]): unknown[] {
    const pending = outbox.slice();
    outbox.length = 0;
    const reply = reflectApply(applySyncPromise, hostRef, [undefined, [kind, pending, ...args], { arguments: { copy: true } }]) as unknown[];
    if (!isArray(reply)) throw new ErrorCtor('The runtime gave no answer');
    if (reply[0] !== true) throw new ErrorCtor(String(reply[1]));
    return reply;
  }

  // ---- values ----
  function encode(value: unknown): [string, Uint8Array[]] {
    const encoded = codec.encode(value);
    return [encoded.json, encoded.binaries];
  }
  function decode(json: unknown, binaries: unknown): unknown {
    return codec.decode(String(json), isArray(binaries) ? (binaries as Uint8Array[]) : []);
  }
  function clone(value: unknown): unknown {
    const encoded = codec.encode(value);
    return codec.decode(encoded.json, encoded.binaries);
  }

  const { textOf, errorInfo } = createErrorText({ filename: config.filename, maxLogChars: config.maxLogChars, clone });

  // ---- per-message node objects ----
  const closeHandlers: Callback[] = [];
  interface Activation {
    runId: number | null;
    msgid: string;
    sends: number;
    logs: number;
    settled: boolean;
  }
  const runs = new MapCtor<number, { activation: Activation; msg: unknown; returnMessage?: boolean }>();

  function count(activation: Activation, what: 'sends' | 'logs', limit: number, label: string): void {
    activation[what]++;
    if (activation[what] > limit) throw new ErrorCtor(`${label} was called more than ${limit} times for one message`);
  }

  function log(activation: Activation, level: string, value: unknown): void {
    count(activation, 'logs', config.maxLogsPerMessage, `node.${level === 'info' ? 'log' : level}`);
    emit(['log', level, textOf(value)]);
  }

  function sendResults(activation: Activation, msgs: unknown, cloneFirst: boolean): void {
    if (msgs === null || msgs === undefined) return;
    const ports = isArray(msgs) ? msgs : [msgs];
    const outputs: unknown[] = [];
    let sent = 0;
    for (let m = 0; m < ports.length; m++) {
      let port = ports[m];
      if (!port) {
        outputs[m] = null;
        continue;
      }
      if (!isArray(port)) port = [port];
      const list: unknown[] = [];
      for (const item of port as unknown[]) {
        if (item === null || item === undefined) continue;
        if (typeof item === 'object' && !(item instanceof Buffer) && !isArray(item)) {
          count(activation, 'sends', config.maxSendsPerMessage, 'node.send');
          // As Node-RED: the first message of node.send is copied before its id is set.
          const message = sent === 0 && cloneFirst ? Object.assign({}, item) : item;
          (message as Record<string, unknown>)._msgid = activation.msgid;
          list[list.length] = message;
          sent++;
        } else {
          const type = typeof item === 'object' ? (item instanceof Buffer ? 'Buffer' : isArray(item) ? 'Array' : 'Date') : typeof item;
          reportError(activation, `Function tried to send a message of type ${type}`, undefined);
        }
      }
      outputs[m] = list;
    }
    if (sent > 0) {
      let encoded: [string, Uint8Array[]];
      try {
        encoded = encode(outputs);
      } catch (error) {
        // Name the place in the message, not in the array of outputs it travels in.
        const message = String((error as Error).message).replace(/at \[(\d+)\]\[\d+\](\.)?/, (_all, port: string, dot?: string) => `at ${Number(port) > 0 ? `output ${Number(port) + 1}: ` : ''}msg${dot ?? ''}`);
        throw new ErrorCtor(message);
      }
      emit(['send', encoded[0], encoded[1]]);
    }
  }

  function reportError(activation: Activation, error: unknown, msg: unknown): void {
    count(activation, 'logs', config.maxLogsPerMessage, 'node.error');
    let json: string | null = null;
    let binaries: Uint8Array[] = [];
    if (msg !== null && msg !== undefined && typeof msg === 'object') {
      try {
        [json, binaries] = encode(msg);
      } catch (problem) {
        emit(['log', 'warn', `node.error: the message could not be passed on (${String((problem as Error).message)})`]);
      }
    }
    emit(['error', errorInfo(error), json, binaries]);
  }

  function setStatus(status: unknown): void {
    let fill: unknown;
    let shape: unknown;
    let text: unknown;
    if (status !== null && typeof status === 'object') ({ fill, shape, text } = status as Record<string, unknown>);
    else if (status !== undefined && status !== null) text = status;
    emit(['status', { fill: typeof fill === 'string' ? fill : undefined, shape: typeof shape === 'string' ? shape : undefined, text: text === undefined ? undefined : textOf(text) }]);
  }

  function complete(runId: number, error: unknown): void {
    const run = runs.get(runId);
    if (!run || run.activation.settled) return;
    run.activation.settled = true;
    runs.delete(runId);
    if (error === undefined || error === null) {
      if (!run.returnMessage) return void emit(['done', runId]);
      try {
        const [json, binaries] = encode(run.msg);
        emit(['done', runId, json, binaries]);
      } catch {
        emit(['done', runId]);
      }
      return;
    }
    let json: string | null = null;
    let binaries: Uint8Array[] = [];
    try {
      [json, binaries] = encode(run.msg);
    } catch {
      // The message cannot travel back (e.g. made circular): catch nodes get the original.
    }
    emit(['fail', runId, errorInfo(error), json, binaries]);
  }

  function makeNode(activation: Activation, kind: 'message' | 'setup' | 'cleanup'): Record<string, unknown> {
    const node: Record<string, unknown> = {
      id: config.nodeId,
      name: config.name,
      path: config.nodeId,
      outputCount: config.outputs,
      log: (value: unknown) => log(activation, 'info', value),
      warn: (value: unknown) => log(activation, 'warn', value),
      debug: (value: unknown) => log(activation, 'debug', value),
      trace: (value: unknown) => log(activation, 'trace', value),
      error: (error: unknown, msg?: unknown) => reportError(activation, error, msg),
      status: (status: unknown) => setStatus(status),
      send:
        kind === 'cleanup'
          ? () => reportError(activation, 'Cannot send from close function', undefined)
          : (msgs: unknown, cloneMsg?: unknown) => sendResults(activation, msgs, cloneMsg !== false),
    };
    if (kind === 'message') {
      node.done = (error?: unknown) => {
        if (activation.runId !== null) complete(activation.runId, error);
      };
      node.on = (event: unknown, handler: unknown) => {
        if (event === 'input') throw new ErrorCtor("Cannot add listener to 'input' event within Function");
        if (event === 'close' && typeof handler === 'function') closeHandlers.push(handler as Callback);
      };
    }
    return node;
  }

  // ---- timers: the host runs the clock, the isolate keeps the callbacks ----
  const idleActivation: Activation = { runId: null, msgid: '', sends: 0, logs: 0, settled: true };
  let currentActivation: Activation = idleActivation;
  const timers = createIsolateTimers<Activation>({
    emit,
    maxTimers: config.maxTimers,
    current: () => currentActivation,
    run(activation, callback, args) {
      // Each run of a timer callback gets a fresh budget of sends and log lines.
      activation.sends = 0;
      activation.logs = 0;
      currentActivation = activation;
      try {
        reflectApply(callback, undefined, args);
      } catch (error) {
        // As Node-RED: an exception in a timer reaches the catch nodes with an empty message.
        try {
          reportError({ runId: null, msgid: activation.msgid, sends: 0, logs: 0, settled: true }, error, {});
        } catch {
          // the log cap was hit: nothing more to report
        }
      } finally {
        currentActivation = idleActivation;
      }
    },
  });

  // ---- context, env, and the helpers around the node API ----
  const contextApi = createContextApi(hostRequest, encode, decode);
  const utilities = createIsolateUtilities({
    Buffer,
    textOf,
    clone,
    consoleLine: (level, text) => {
      consoleLines++;
      if (consoleLines <= config.maxLogsPerMessage) emit(['log', level, text]);
    },
    setTimeout: timers.setTimeout,
    envGet: (name) => contextApi.env.get(name),
  });
  const generateId = utilities.generateId as () => string;
  const globals: Record<string, unknown> = {
    ...utilities,
    Buffer,
    context: contextApi.node,
    flow: contextApi.flow,
    global: contextApi.global,
    env: freeze(contextApi.env),
    setTimeout: timers.setTimeout,
    clearTimeout: timers.clear,
    setInterval: timers.setInterval,
    clearInterval: timers.clear,
  };
  delete globals.generateId;
  for (const name of Object.keys(globals)) defineProperty(g, name, { value: globals[name], writable: true, configurable: true, enumerable: false });

  // ---- user code ----
  let userFunction: UserFunction | null = null;
  let setupFunction: UserFunction | null = null;
  let cleanupFunction: UserFunction | null = null;
  let setupState: 'none' | 'pending' | 'done' | 'failed' = 'none';
  let setupError: unknown;
  const waiting: Array<[number, unknown, boolean]> = [];

  function startSetup(): void {
    if (!setupFunction) {
      setupState = 'done';
      emit(['init', true, null]);
      return;
    }
    setupState = 'pending';
    const activation: Activation = { runId: null, msgid: '', sends: 0, logs: 0, settled: true };
    const node = makeNode(activation, 'setup');
    node.send = (msgs: unknown, cloneMsg?: unknown) => {
      activation.msgid = generateId();
      sendResults(activation, msgs, cloneMsg !== false);
    };
    let result: unknown;
    try {
      result = reflectApply(setupFunction, undefined, [node]);
    } catch (error) {
      result = PromiseCtor.reject(error);
    }
    reflectApply(promiseThen, PromiseCtor.resolve(result), [
      () => {
        setupState = 'done';
        emit(['init', true, null]);
        const queued = waiting.splice(0);
        for (const [runId, msg, returnMessage] of queued) startMessage(runId, msg, returnMessage);
      },
      (error: unknown) => {
        setupState = 'failed';
        setupError = error;
        emit(['init', false, errorInfo(error)]);
        const queued = waiting.splice(0);
        for (const [runId] of queued) {
          runs.set(runId, { activation: { runId, msgid: '', sends: 0, logs: 0, settled: false }, msg: undefined });
          complete(runId, new ErrorCtor(`The node's On Start code failed: ${errorInfo(error).message}`));
        }
      },
    ]);
  }

  function startMessage(runId: number, msg: unknown, returnMessage: boolean): void {
    if (setupState === 'pending') {
      waiting.push([runId, msg, returnMessage]);
      return;
    }
    const record = msg !== null && typeof msg === 'object' ? (msg as Record<string, unknown>) : {};
    const activation: Activation = { runId, msgid: typeof record._msgid === 'string' ? record._msgid : generateId(), sends: 0, logs: 0, settled: false };
    runs.set(runId, { activation, msg, returnMessage });
    if (setupState === 'failed') {
      complete(runId, new ErrorCtor(`The node's On Start code failed: ${errorInfo(setupError).message}`));
      return;
    }
    const node = makeNode(activation, 'message');
    currentActivation = activation;
    let result: unknown;
    try {
      result = reflectApply(userFunction!, undefined, [msg, node]);
    } catch (error) {
      result = PromiseCtor.reject(error);
    } finally {
      currentActivation = idleActivation;
    }
    reflectApply(promiseThen, PromiseCtor.resolve(result), [
      (value: unknown) => {
        try {
          sendResults(activation, value, false);
        } catch (error) {
          complete(runId, error);
          return;
        }
        if (!config.usesDone) complete(runId, undefined);
      },
      (error: unknown) => complete(runId, error ?? new ErrorCtor('The function rejected without a reason')),
    ]);
  }

  /** A batch of messages: `ids` as in run-batch-ids.ts, `texts` a JSON array of the messages, parsed at once. */
  function runBatch(ids: string, texts: string, binaries: unknown): void {
    const entries = parseRunBatchIds(ids);
    let messages: unknown[] | undefined;
    let problem: unknown;
    try {
      messages = parseJson(texts) as unknown[];
    } catch (error) {
      problem = error;
    }
    const attachments = isArray(binaries) ? (binaries as Uint8Array[]) : [];
    let offset = 0;
    for (let i = 0; i < entries.length; i++) {
      const { runId, returnMessage, tagged, attachments: count } = entries[i]!;
      const mine = count > 0 ? attachments.slice(offset, offset + count) : [];
      offset += count;
      let msg: unknown;
      try {
        if (!messages) throw problem;
        msg = tagged || count > 0 ? codec.revive(messages[i], mine) : messages[i];
      } catch (error) {
        runs.set(runId, { activation: { runId, msgid: '', sends: 0, logs: 0, settled: false }, msg: undefined });
        complete(runId, error);
        continue;
      }
      startMessage(runId, msg, returnMessage);
    }
  }

  function runCleanup(): void {
    const activation: Activation = { runId: null, msgid: '', sends: 0, logs: 0, settled: true };
    for (const handler of closeHandlers.splice(0)) {
      try {
        reflectApply(handler, undefined, []);
      } catch (error) {
        reportError(activation, error, undefined);
      }
    }
    if (cleanupFunction) {
      try {
        reflectApply(cleanupFunction, undefined, [makeNode(activation, 'cleanup')]);
      } catch (error) {
        reportError(activation, error, undefined);
      }
    }
    timers.clearAll();
  }

  return function entry(op: EntryOp, a?: unknown, b?: unknown, c?: unknown): Outbox {
    // The engine has read everything returned by the previous call, except
    // when that call failed on its way out: 'drain' hands the same outbox back.
    if (op === 'drain') return outbox;
    outbox.length = 0;
    consoleLines = 0;
    timers.newCall();
    switch (op) {
      case 'code':
        userFunction = a as UserFunction;
        setupFunction = typeof b === 'function' ? (b as UserFunction) : null;
        cleanupFunction = typeof c === 'function' ? (c as UserFunction) : null;
        break;
      case 'init':
        startSetup();
        break;
      case 'run':
        runBatch(String(a), String(b), c);
        break;
      case 'timers':
        timers.fire(a);
        break;
      case 'close':
        runCleanup();
        break;
    }
    // Returned by reference: isolated-vm copies it after the microtask queue
    // has run, so completions of async code that settled meanwhile are included.
    return outbox;
  };
}

/**
 * The script that installs the bootstrap in a fresh context (run with
 * evalClosure: $0 = host reference, $1 = config JSON), given the source text
 * of each self-contained factory.
 */
export function bootstrapSource(factories: { [K in keyof BootstrapFactories]: string }): string {
  const definitions = Object.entries(factories).map(([name, source]) => `  ${name}: ${source},`);
  return `'use strict';
const factories = {
${definitions.join('\n')}
};
return (${isolateBootstrap.toString()})($0, factories, $1);`;
}
