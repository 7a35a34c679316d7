import type { DoneFunction, FlowMessage, NodeApi, NodeHandlers, SendFunction } from '@loopedge/runtime';
import { numericOverride } from './units.js';

export interface DelayEachOptions {
  mode: 'delay' | 'delayv' | 'random';
  /** Fixed delay, and the default for msg.delay (delayv). */
  timeoutMs: number;
  randomFirstMs: number;
  randomLastMs: number;
}

/** One message waiting for its own timer. */
interface Delayed {
  /** Send now (flush). */
  fire(): void;
  /** Drop without sending (reset, close). */
  cancel(): void;
}

/**
 * Delay modes: each message waits on its own timer, independently of the
 * others. msg.reset drops every waiting message; msg.flush sends them now
 * (all of them, or the first N when it is a number).
 */
export function delayEachMessage(node: NodeApi, options: DelayEachOptions): NodeHandlers {
  const { mode, timeoutMs, randomFirstMs, randomLastMs } = options;
  let waiting: Delayed[] = [];

  const showCount = (): void => node.status({ fill: 'blue', shape: 'dot', text: String(waiting.length) });

  function schedule(msg: FlowMessage, send: SendFunction, done: DoneFunction, waitMs: number): Delayed {
    const timer = setTimeout(() => entry.fire(), waitMs);
    const entry: Delayed = {
      fire() {
        clearTimeout(timer);
        const index = waiting.indexOf(entry);
        if (index !== -1) waiting.splice(index, 1);
        // Node-RED's status updates, in its order: the fixed and random delays only
        // show the queue length when delays are long enough to watch.
        if (mode === 'delay' && timeoutMs > 1000) showCount();
        if (mode === 'delayv' && waiting.length === 0) node.status({});
        send(msg);
        if (mode === 'delayv' || (mode === 'random' && timeoutMs >= 1000)) showCount();
        done();
      },
      cancel() {
        clearTimeout(timer);
        done();
      },
    };
    return entry;
  }

  function waitFor(msg: FlowMessage): number {
    if (mode === 'random') return randomFirstMs + (randomLastMs - randomFirstMs) * Math.random();
    if (mode === 'delayv') {
      const requested = Object.hasOwn(msg, 'delay') ? numericOverride(msg.delay) : undefined;
      return Math.max(0, requested ?? timeoutMs);
    }
    return timeoutMs;
  }

  function dropAll(showReset: boolean): void {
    for (const entry of waiting) entry.cancel();
    waiting = [];
    node.status(showReset ? { fill: 'blue', shape: 'ring', text: '0' } : {});
  }

  function flush(count: unknown): void {
    let n = waiting.length;
    if (typeof count === 'number') n = Math.min(Math.floor(count), n);
    for (let i = 0; i < n; i++) waiting[0]!.fire();
    showCount();
  }

  return {
    input(msg, send, done) {
      const entry = schedule(msg, send, done, waitFor(msg));
      const flushOnly = Object.keys(msg).length === 2 && Object.hasOwn(msg, 'flush');
      if (flushOnly) entry.cancel();
      else waiting.push(entry);
      const reset = Object.hasOwn(msg, 'reset');
      const flushing = Object.hasOwn(msg, 'flush');
      if (mode === 'delay') {
        if (reset) dropAll(true);
        else if (flushing) flush(msg.flush);
        else if (timeoutMs > 1000) showCount();
        if (!reset && flushing) done();
        return;
      }
      if (reset) dropAll(true);
      if (flushing) {
        flush(msg.flush);
        done();
      }
      if (mode === 'delayv' || timeoutMs >= 1000) showCount();
    },
    close() {
      dropAll(false);
    },
  };
}
