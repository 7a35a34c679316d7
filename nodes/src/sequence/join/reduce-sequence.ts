import type { DoneFunction, FlowMessage, SendFunction } from '@loopedge/runtime';
import type { PreparedJsonata } from '../../shared/jsonata-expression.js';
import type { PreparedTypedValue } from '../../shared/typed-value.js';

/** A message the node holds until its sequence is complete. */
export interface HeldMessage {
  msg: FlowMessage;
  send: SendFunction;
  done: DoneFunction;
}

export interface ReduceOptions {
  /** Evaluated per message with $A (accumulator), $I (parts.index) and $N (count). */
  expression: PreparedJsonata;
  /** Evaluated once at the end with $A and $N; its result becomes the payload. */
  fixup: PreparedJsonata | undefined;
  /** The initial accumulator, a typed value evaluated against an empty message. */
  initial: PreparedTypedValue;
  /** Reduce from the last part to the first. */
  right: boolean;
  /** Node-RED's nodeMessageBufferMaxLength; 0 = unlimited. */
  maxKept: number;
}

interface PendingSequence {
  count: number | undefined;
  held: HeldMessage[];
}

type Parts = { id?: unknown; index?: number; count?: number };

/** A failure Node-RED reports as plain text: catch nodes see no "Error:" prefix and no stack. */
class PlainTextFailure extends Error {}

/**
 * The join node's "reduce sequence" mode. Messages are processed strictly one
 * after another (JSONata evaluation is asynchronous) so sequences cannot overlap.
 */
export class SequenceReducer {
  readonly #options: ReduceOptions;
  readonly #pending = new Map<unknown, PendingSequence>();
  #pendingCount = 0;
  #queue: Promise<void> = Promise.resolve();

  constructor(options: ReduceOptions) {
    this.#options = options;
  }

  accept(message: HeldMessage): void {
    this.#queue = this.#queue
      .then(() => this.#process(message))
      .catch((error: unknown) => message.done(error instanceof PlainTextFailure ? error.message : error));
  }

  /** Close: every held message is done, none is sent. */
  clear(): void {
    for (const sequence of this.#pending.values()) for (const held of sequence.held) held.done();
    this.#pending.clear();
    this.#pendingCount = 0;
  }

  async #process(message: HeldMessage): Promise<void> {
    const parts = message.msg.parts as Parts | undefined;
    if (!Object.hasOwn(message.msg, 'parts') || parts === null || typeof parts !== 'object') {
      message.send(message.msg); // not part of a sequence: passed on untouched
      message.done();
      return;
    }
    let sequence = this.#pending.get(parts.id);
    if (!sequence) {
      sequence = { count: undefined, held: [] };
      this.#pending.set(parts.id, sequence);
    }
    if (Object.hasOwn(parts, 'count') && sequence.count === undefined) sequence.count = parts.count;
    sequence.held.push(message);
    this.#pendingCount++;
    if (sequence.held.length === sequence.count) {
      this.#pending.delete(parts.id);
      this.#pendingCount -= sequence.held.length;
      await this.#reduceAndSend(sequence);
    }
    const max = this.#options.maxKept;
    if (max > 0 && this.#pendingCount > max) {
      for (const other of this.#pending.values()) {
        for (const held of other.held) if (held.msg._msgid !== message.msg._msgid) held.done();
      }
      this.#pending.clear();
      this.#pendingCount = 0;
      throw new PlainTextFailure('too many pending messages in join node');
    }
  }

  async #reduceAndSend(sequence: PendingSequence): Promise<void> {
    const { expression, fixup, initial, right } = this.#options;
    const arrival = [...sequence.held];
    const direction = right ? -1 : 1;
    const ordered = [...sequence.held].sort((x, y) => {
      const ix = (x.msg.parts as Parts).index ?? 0;
      const iy = (y.msg.parts as Parts).index ?? 0;
      return ix < iy ? -direction : ix > iy ? direction : 0;
    });
    try {
      let accumulator: unknown;
      try {
        accumulator = await initial.evaluate({ _msgid: '' });
      } catch {
        accumulator = undefined; // Node-RED ignores a failing initial value and starts from undefined
      }
      const count = sequence.count;
      for (const held of ordered) {
        accumulator = await expression.evaluate(held.msg, { I: (held.msg.parts as Parts).index, N: count, A: accumulator });
      }
      const result = fixup ? await fixup.evaluate({}, { N: count, A: accumulator }) : accumulator;
      const last = ordered[ordered.length - 1]!;
      last.msg.payload = result;
      last.send(last.msg);
    } catch (error) {
      // The message that completed the sequence carries the error; the others are just done.
      arrival.pop();
      for (const held of arrival) held.done();
      throw error;
    }
    for (const held of arrival) held.done();
  }
}
