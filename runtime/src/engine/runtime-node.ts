import type { DoneFunction, FlowMessage, SendValue } from '../node-api/message.js';
import type { NodeHandlers, AnyNodeTypeDefinition } from '../node-api/definition.js';
import type { NodeContext } from '../node-api/context.js';
import type { NodeStatus } from '../node-api/status.js';
import { newMessageId, cloneMessage } from '../node-api/message-tools.js';
import type { FlowScope } from './flow-scope.js';
import type { MessageTarget } from './scheduler.js';
import type { NodeSpec } from './flow-compiler.js';
import type { EngineServices } from './engine-services.js';

/**
 * Upper bounds (ms) of the processing-time histogram buckets; a last bucket
 * holds everything slower. Fixed bounds keep recording to a short loop.
 */
export const PROCESSING_TIME_BUCKETS_MS: readonly number[] = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 50, 100, 500, 1000, 5000];

/** Counters kept for every node; cheap enough to leave on in production. */
export interface NodeCounters {
  messagesIn: number;
  messagesOut: number;
  errors: number;
  /** Total time from a message reaching the node to its done(), in milliseconds. */
  processingMs: number;
  /**
   * Messages per processing-time bucket (not cumulative): index i counts times
   * up to PROCESSING_TIME_BUCKETS_MS[i]; the last entry counts slower ones.
   */
  processingHistogram: number[];
}

type InputFunction = NonNullable<NodeHandlers['input']>;

/** Handed as `done` to handlers that do not declare it (Node-RED passes one to every handler). */
const ignoreDone: DoneFunction = () => {};

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== undefined && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

/**
 * A node as the engine runs it: its handlers, resolved wires, scope and
 * counters. Node code never sees this object, only the NodeApi facade.
 */
export class RuntimeNode implements MessageTarget {
  readonly id: string;
  readonly type: string;
  readonly name: string;
  get z(): string {
    return this.scope.id;
  }
  readonly group: string | undefined;
  readonly counters: NodeCounters = {
    messagesIn: 0,
    messagesOut: 0,
    errors: 0,
    processingMs: 0,
    processingHistogram: new Array<number>(PROCESSING_TIME_BUCKETS_MS.length + 1).fill(0),
  };
  queued = 0;
  /** Resolved output wires: one array of targets per port. */
  wires: RuntimeNode[][] = [];
  handlers: NodeHandlers = {};
  context!: NodeContext;
  closed = false;
  lastStatus: NodeStatus | undefined;
  #input: InputFunction | undefined;
  #inputArity = 0;
  readonly #send = (value: SendValue): void => this.send(value);

  constructor(
    readonly spec: NodeSpec,
    readonly definition: AnyNodeTypeDefinition | undefined,
    public scope: FlowScope,
    readonly services: EngineServices,
  ) {
    this.id = spec.id;
    this.type = spec.type;
    this.group = spec.group;
    this.name = typeof spec.config.name === 'string' ? spec.config.name : '';
  }

  /** The node's effective config (defaults applied, env substituted). */
  get config(): Record<string, unknown> {
    return this.spec.config;
  }

  setHandlers(handlers: NodeHandlers): void {
    this.handlers = handlers ?? {};
    this.#input = this.handlers.input;
    this.#inputArity = this.#input ? this.#input.length : 0;
  }

  /** Put a message on this node's input queue. */
  enqueue(msg: FlowMessage): void {
    this.services.scheduler.enqueue(this, msg);
  }

  /** Called by the scheduler: run the input handler for one message. */
  deliver(msg: FlowMessage): void {
    if (this.closed) return;
    this.counters.messagesIn++;
    const hook = this.services.hooks.onReceive;
    if (hook) hook(this, msg);
    const input = this.#input;
    if (!input) return;
    const started = performance.now();
    this.services.scheduler.inFlight++;
    if (this.#inputArity < 3) return this.#deliverWithoutDone(input, msg, started);
    let settled = false;
    const done: DoneFunction = (error?: unknown) => {
      if (settled) return;
      settled = true;
      this.#complete(msg, started, error);
    };
    try {
      const result = input.call(this.handlers, msg, this.#send, done);
      if (isThenable(result)) result.then(() => done(), (error: unknown) => done(error ?? new Error('The node rejected the message without a reason')));
    } catch (error) {
      done(error ?? new Error('The node threw without a reason'));
    }
  }

  /**
   * A handler that does not take `done` (fewer than three parameters) is done
   * when it returns, or when its promise settles. It can never call done
   * twice, so it needs no per-message done closure: most core nodes go this
   * way, and a closure per message per node was a measurable share of the
   * engine's garbage under load.
   */
  #deliverWithoutDone(input: InputFunction, msg: FlowMessage, started: number): void {
    let result: unknown;
    try {
      result = input.call(this.handlers, msg, this.#send, ignoreDone);
    } catch (error) {
      this.#complete(msg, started, error ?? new Error('The node threw without a reason'));
      return;
    }
    if (isThenable(result)) {
      result.then(
        () => this.#complete(msg, started, undefined),
        (error: unknown) => this.#complete(msg, started, error ?? new Error('The node rejected the message without a reason')),
      );
    } else {
      this.#complete(msg, started, undefined);
    }
  }

  /** The message is done at this node: counters, then errors to catch nodes or the message to complete nodes. */
  #complete(msg: FlowMessage, started: number, error: unknown): void {
    const scheduler = this.services.scheduler;
    scheduler.inFlight--;
    scheduler.finished++;
    this.#observe(performance.now() - started);
    this.#finish(msg, error);
  }

  #observe(elapsedMs: number): void {
    this.counters.processingMs += elapsedMs;
    let bucket = 0;
    while (bucket < PROCESSING_TIME_BUCKETS_MS.length && elapsedMs > PROCESSING_TIME_BUCKETS_MS[bucket]!) bucket++;
    this.counters.processingHistogram[bucket]!++;
  }

  #finish(msg: FlowMessage, error: unknown): void {
    if (error !== undefined && error !== null && error !== false) {
      this.reportError(error, msg);
      return;
    }
    if (this.scope.completeNodes.size > 0 && this.scope.hasCompleteListeners(this.id)) this.scope.handleComplete(this, msg);
  }

  /** Node-RED's send: one message for output 0, or an array per output. */
  send(value: SendValue): void {
    if (value === null || value === undefined || this.closed) return;
    if (!Array.isArray(value)) {
      if (typeof value !== 'object') {
        this.reportError(new Error(`Node tried to send a message of type ${typeof value}`));
        return;
      }
      const port = this.wires[0];
      if (!value._msgid) value._msgid = newMessageId();
      if (port === undefined || port.length === 0) return;
      if (port.length === 1) {
        this.counters.messagesOut++;
        this.services.scheduler.enqueue(port[0]!, value);
        return;
      }
    }
    if (Array.isArray(value) && this.#sendSingle(value)) return;
    this.#sendMany(Array.isArray(value) ? value : [value]);
  }

  /**
   * The common case of an array send (a function's `[msg]`, a switch's
   * `[null, msg]`): one message on one port with one wire. It needs no copy,
   * so it is enqueued without the bookkeeping arrays of #sendMany (fewer
   * short-lived objects per message, hence fewer scavenges under load).
   * Returns false when the send is anything else; nothing has happened then.
   */
  #sendSingle(ports: unknown[]): boolean {
    const portCount = Math.min(ports.length, this.wires.length);
    let found: FlowMessage | undefined;
    let port = -1;
    for (let i = 0; i < portCount; i++) {
      let entry = ports[i];
      if (entry === null || entry === undefined) continue;
      if (Array.isArray(entry)) {
        if (entry.length !== 1) return false;
        entry = entry[0];
        if (entry === null || entry === undefined) continue;
      }
      if (typeof entry !== 'object') return false;
      if (this.wires[i]!.length === 0) continue;
      if (found !== undefined || this.wires[i]!.length !== 1) return false;
      found = entry as FlowMessage;
      port = i;
    }
    if (found === undefined) return false;
    if (!found._msgid) found._msgid = newMessageId();
    this.counters.messagesOut++;
    this.services.scheduler.enqueue(this.wires[port]![0]!, found);
    return true;
  }

  #sendMany(ports: unknown[]): void {
    // Same order and cloning rule as Node-RED: the very first delivery gets the
    // original object, every later one a copy; all copies are made before any
    // delivery happens, so a receiver mutating its message cannot leak into another.
    const targets: RuntimeNode[] = [];
    const messages: FlowMessage[] = [];
    let firstId: string | undefined;
    let missingIds = false;
    const portCount = Math.min(ports.length, this.wires.length);
    for (let i = 0; i < portCount; i++) {
      const entry = ports[i];
      if (entry === null || entry === undefined) continue;
      const list = Array.isArray(entry) ? entry : [entry];
      const wires = this.wires[i]!;
      for (let w = 0; w < wires.length; w++) {
        for (const m of list) {
          if (m === null || m === undefined) continue;
          if (typeof m !== 'object') {
            this.reportError(new Error(`Node tried to send a message of type ${typeof m}`));
            continue;
          }
          const message = m as FlowMessage;
          if (!message._msgid) missingIds = true;
          if (firstId === undefined) firstId = message._msgid;
          targets.push(wires[w]!);
          messages.push(targets.length === 1 ? message : cloneMessage(message));
        }
      }
    }
    if (missingIds) {
      const id = firstId || newMessageId();
      for (const message of messages) if (!message._msgid) message._msgid = id;
    }
    this.counters.messagesOut += targets.length;
    for (let i = 0; i < targets.length; i++) this.services.scheduler.enqueue(targets[i]!, messages[i]!);
  }

  /** An error from this node: to catch nodes (when there is a message), the event bus and the log. */
  reportError(error: unknown, msg?: FlowMessage): void {
    this.counters.errors++;
    const handled = msg !== undefined && msg !== null && typeof msg === 'object' ? this.scope.handleError(this, error, msg) : false;
    this.services.publishError(this, error, msg, handled);
  }

  warnText(message: string): void {
    this.services.publishLog(this, 'warn', message);
  }

  /** Close the node, bounded by the runtime's close timeout. */
  async close(removed: boolean, timeoutMs: number): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const close = this.handlers.close;
    if (!close) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(() => close.call(this.handlers, removed)),
        new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            this.services.publishLog(this, 'warn', `Close timed out after ${timeoutMs} ms; the node was stopped anyway`);
            resolve();
          }, timeoutMs);
        }),
      ]);
    } catch (error) {
      this.services.publishError(this, error, undefined, false);
    } finally {
      if (timer) clearTimeout(timer);
    }
  }
}
