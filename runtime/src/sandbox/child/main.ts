/**
 * Entry point of the sandbox process (started by SandboxSupervisor, never by
 * hand): empty environment, Node's permission model, its own heap cap and,
 * where the OS allows, no network. It hosts every function node's code
 * through the language engines and talks to the runtime over the IPC channel,
 * one batch per event-loop turn each way.
 *
 * Nothing user code does may take this process down quietly: exceptions and
 * rejections that escape an engine are reported as problems and the process
 * carries on; if it does die (an isolate's out-of-memory abort), the
 * supervisor restarts it.
 */
import type { UserCodeCompileError, UserCodeHost, UserCodeUnit, RunOutcome, EncodedRunOutcome } from './language-engine.js';
import type { ChildCommand, ChildEvent, ChildUnitSpec, ChannelBatch, ErrorInfo, HostRequest, SandboxLanguage } from '../protocol.js';
import { encodedOf, frameEncoded, unframe, wireOf, type WireValue } from '../wire-format.js';
import { EngineRegistry, LANGUAGES, type EngineOptions } from './engine-registry.js';

export interface ChildConfig extends EngineOptions {
  /** How long a request to the runtime (context, env) may take. */
  requestTimeoutMs: number;
}

interface UnitSlot {
  unit: UserCodeUnit | undefined;
  ready: Promise<UserCodeUnit | undefined>;
  closed: boolean;
}

const config = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
const registry = new EngineRegistry(config);
const units = new Map<number, UnitSlot>();
const requests = new Map<number, { resolve(value: unknown): void; reject(error: Error): void; timer: NodeJS.Timeout }>();
let nextRequestId = 1;
let outgoing: ChildEvent[] = [];
let flushScheduled = false;

function post(event: ChildEvent): void {
  outgoing.push(event);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flush);
  }
}

function flush(): void {
  flushScheduled = false;
  if (outgoing.length === 0 || !process.connected) return;
  const batch: ChannelBatch<ChildEvent> = { b: outgoing };
  outgoing = [];
  process.send!(batch);
}

function problem(what: string, error: unknown): void {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  post(['problem', `${what}: ${text}`]);
}

process.on('uncaughtException', (error) => problem('Uncaught exception in the sandbox process', error));
process.on('unhandledRejection', (reason) => problem('Unhandled rejection in the sandbox process', reason));
process.on('disconnect', () => process.exit(0));
process.on('message', (message: unknown) => {
  const batch = message as ChannelBatch<ChildCommand> | undefined;
  if (!batch || !Array.isArray(batch.b)) return;
  for (const command of batch.b) {
    try {
      handle(command);
    } catch (error) {
      problem('A command from the runtime failed', error);
    }
  }
});

function handle(command: ChildCommand): void {
  switch (command[0]) {
    case 'create':
      create(command[1], command[2]);
      break;
    case 'run':
      run(command[1], command[2], command[3], command[4] === true);
      break;
    case 'close':
      close(command[1]);
      break;
    case 'reply': {
      const [, id, ok, value] = command;
      const pending = requests.get(id);
      if (!pending) break;
      requests.delete(id);
      clearTimeout(pending.timer);
      if (ok) pending.resolve(value);
      else pending.reject(new Error(String(value)));
      break;
    }
    case 'ping': {
      const usage = process.memoryUsage();
      post(['pong', command[1], { rss: usage.rss, heapUsed: usage.heapUsed, external: usage.external }]);
      break;
    }
    case 'shutdown':
      void shutdown();
      break;
  }
}

function create(unitId: number, spec: ChildUnitSpec): void {
  const slot: UnitSlot = { unit: undefined, closed: false, ready: Promise.resolve(undefined) };
  units.set(unitId, slot);
  slot.ready = registry
    .get(spec.language)
    .then((engine) => engine.create(spec, hostFor(unitId)))
    .then(
      (unit) => {
        slot.unit = unit;
        post(['created', unitId, null]);
        if (slot.closed) void unit.close();
        return unit;
      },
      (error: unknown) => {
        post(['created', unitId, compileError(error)]);
        return undefined;
      },
    );
}

function run(unitId: number, runId: number, msg: WireValue, returnMessage: boolean): void {
  const options = returnMessage ? { returnMessage } : undefined;
  const slot = units.get(unitId);
  const reportEncoded = (outcome: EncodedRunOutcome): void => {
    const changed = outcome.msg ? wireOf(outcome.msg) : null;
    if (outcome.ok) post(['done', unitId, runId, null, changed]);
    else post(['failed', unitId, runId, errorInfo(outcome.error), outcome.timedOut === true, changed]);
  };
  // Engines without the fast path get and give frames.
  const report = (outcome: RunOutcome): void => {
    const changed = outcome.msg ? wireOf(unframe(outcome.msg)) : null;
    if (outcome.ok) post(['done', unitId, runId, outcome.result ? wireOf(unframe(outcome.result)) : null, changed]);
    else post(['failed', unitId, runId, errorInfo(outcome.error), outcome.timedOut === true, changed]);
  };
  const fail = (error: unknown): void => report({ ok: false, error: { message: error instanceof Error ? error.message : String(error) } });
  const start = (unit: UserCodeUnit): void => {
    const encoded = encodedOf(msg);
    if (unit.runEncoded) unit.runEncoded(encoded, options).then(reportEncoded, fail);
    else unit.run(frameEncoded(encoded), options).then(report, fail);
  };
  if (!slot) return fail(new Error('The function is not running in the sandbox (it failed to start or was closed)'));
  if (slot.unit) return start(slot.unit);
  slot.ready.then((unit) => (unit ? start(unit) : fail(new Error('The function failed to start in the sandbox'))), fail);
}

function errorInfo(error: { name?: string; message: string; stack?: string; line?: number; column?: number }): ErrorInfo {
  return { name: error.name ?? 'Error', message: error.message, ...optional(error) };
}

function close(unitId: number): void {
  const slot = units.get(unitId);
  if (!slot) return void post(['closed', unitId]);
  slot.closed = true;
  void slot.ready
    .then((unit) => unit?.close())
    .catch((error: unknown) => problem(`Closing unit ${unitId} failed`, error))
    .finally(() => {
      units.delete(unitId);
      post(['closed', unitId]);
    });
}

async function shutdown(): Promise<void> {
  const closing = [...units.values()].map((slot) => slot.ready.then((unit) => unit?.close()).catch(() => undefined));
  await Promise.race([Promise.all(closing), new Promise((resolve) => setTimeout(resolve, 2000))]);
  flush();
  process.exit(0);
}

function hostFor(unitId: number): UserCodeHost {
  return {
    send: (outputs) => post(['send', unitId, wireOf(unframe(outputs))]),
    sendEncoded: (outputs) => post(['send', unitId, wireOf(outputs)]),
    log: (level, text) => post(['log', unitId, level, text]),
    status: (status) => post(['status', unitId, status]),
    error: (error, msg) => post(['error', unitId, { name: error.name ?? 'Error', message: error.message, ...(error.stack ? { stack: error.stack } : {}) }, msg ? wireOf(unframe(msg)) : null]),
    contextGet: async (scope, keys, store) => frameOf(await request(unitId, { op: 'get', scope, keys, ...(store ? { store } : {}) })),
    contextSet: async (scope, keys, values, store) => {
      await request(unitId, { op: 'set', scope, keys, values: wireOf(unframe(values)), ...(store ? { store } : {}) });
    },
    contextKeys: (scope, store) => request(unitId, { op: 'keys', scope, ...(store ? { store } : {}) }) as Promise<string[]>,
    envGet: async (name) => frameOf(await request(unitId, { op: 'env', name })),
  };
}

function request(unitId: number, body: HostRequest): Promise<unknown> {
  const id = nextRequestId++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      requests.delete(id);
      reject(new Error(`The runtime did not answer a ${body.op} request within ${config.requestTimeoutMs} ms`));
    }, config.requestTimeoutMs);
    requests.set(id, { resolve, reject, timer });
    post(['request', id, unitId, body]);
  });
}

function frameOf(value: unknown): Uint8Array {
  return frameEncoded(encodedOf(value as WireValue));
}

function compileError(error: unknown): UserCodeCompileError {
  if (error && typeof error === 'object' && typeof (error as UserCodeCompileError).message === 'string' && typeof (error as UserCodeCompileError).part === 'string') {
    const { message, part, line, column } = error as UserCodeCompileError;
    return { message, part, ...(line !== undefined ? { line } : {}), ...(column !== undefined ? { column } : {}) };
  }
  return { message: error instanceof Error ? error.message : String(error), part: 'func' };
}

function optional(error: { stack?: string; line?: number; column?: number }): { stack?: string; line?: number; column?: number } {
  return {
    ...(error.stack !== undefined ? { stack: error.stack } : {}),
    ...(error.line !== undefined ? { line: error.line } : {}),
    ...(error.column !== undefined ? { column: error.column } : {}),
  };
}

post(['ready', { pid: process.pid, node: process.version, languages: LANGUAGES as SandboxLanguage[] }]);
