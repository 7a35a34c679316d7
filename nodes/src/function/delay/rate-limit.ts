import { cloneMessage, type DoneFunction, type FlowMessage, type NodeApi, type NodeHandlers, type SendFunction } from '@loopedge/runtime';
import { numericOverride } from './units.js';

export interface RateLimitOptions {
  /** Milliseconds between messages. */
  rateMs: number;
  /** Drop (or send on output 2) instead of queueing. */
  drop: boolean;
  allowRate: boolean;
  outputs: 1 | 2;
  /** Node-RED's nodeMessageBufferMaxLength; 0 = unlimited. */
  maxKept: number;
}

export interface QueuedMessage {
  msg: FlowMessage;
  send: SendFunction;
  done: DoneFunction;
}

/** A message with nothing but its id (and control properties removed) is not worth sending. */
const hasContent = (msg: FlowMessage): boolean => Object.keys(msg).length > 1;

/**
 * Rate limit of all messages. Queue mode: the first message goes at once, the
 * rest are released one per interval (msg.toFront jumps the queue). Drop mode:
 * messages arriving too soon are dropped, or sent on the second output.
 */
export function rateLimitAll(node: NodeApi, options: RateLimitOptions): NodeHandlers {
  const { drop, allowRate, outputs, maxKept } = options;
  const fixedRate = options.rateMs;
  let rate = fixedRate;
  let buffer: QueuedMessage[] = [];
  let interval: NodeJS.Timeout | undefined;
  let lastSent: bigint | undefined;
  let depthTimer: NodeJS.Timeout | undefined;

  /** The queue length is shown at most twice a second. */
  function reportDepth(): void {
    if (depthTimer) return;
    depthTimer = setTimeout(() => {
      depthTimer = undefined;
      node.status({ fill: 'blue', shape: 'dot', text: String(buffer.length) });
    }, 500);
  }

  function stopInterval(): void {
    clearInterval(interval);
    interval = undefined;
  }

  function restartInterval(): void {
    clearInterval(interval);
    interval = setInterval(releaseOne, rate);
  }

  function releaseOne(): void {
    if (buffer.length === 0) stopInterval();
    const next = buffer.shift();
    if (next) {
      if (hasContent(next.msg)) next.send(next.msg);
      next.done();
    }
    reportDepth();
  }

  function dropQueue(): void {
    for (const queued of buffer) queued.done();
    buffer = [];
  }

  function overrideRate(msg: FlowMessage): number | undefined {
    return allowRate && Object.hasOwn(msg, 'rate') ? numericOverride(msg.rate) : undefined;
  }

  function enqueue(msg: FlowMessage, send: SendFunction, done: DoneFunction): void {
    const copy = cloneMessage(msg);
    delete copy.flush;
    if (hasContent(copy)) {
      const requested = overrideRate(copy);
      if (interval !== undefined) {
        if (requested !== undefined && requested !== rate) {
          rate = requested;
          restartInterval();
        }
        if (maxKept > 0 && buffer.length >= maxKept) {
          dropQueue();
          // Node-RED reports this as plain text (no "Error:" prefix), as catch nodes show it.
          done('too many pending messages in delay node');
        } else {
          if (msg.toFront === true) buffer.unshift({ msg: copy, send, done });
          else buffer.push({ msg: copy, send, done });
          reportDepth();
        }
      } else {
        if (requested !== undefined) rate = requested;
        if (Object.hasOwn(msg, 'reset')) {
          if (Object.hasOwn(msg, 'flush')) buffer.push({ msg: copy, send, done });
        } else {
          send(copy); // the first message of a burst goes straight through
        }
        reportDepth();
        interval = setInterval(releaseOne, rate);
        done();
      }
    }
    if (Object.hasOwn(msg, 'flush')) {
      let n = buffer.length;
      if (typeof msg.flush === 'number') n = Math.min(Math.floor(msg.flush), n);
      if (n === 0) {
        stopInterval();
      } else {
        for (; n > 0; n--) {
          const queued = buffer.shift()!;
          delete queued.msg.flush;
          delete queued.msg.reset;
          if (hasContent(queued.msg)) node.send(queued.msg);
          queued.done();
        }
        restartInterval();
      }
      node.status({ fill: 'blue', shape: 'dot', text: String(buffer.length) });
      done();
    }
  }

  function dropIfTooSoon(msg: FlowMessage, send: SendFunction, done: DoneFunction): void {
    const requested = overrideRate(msg);
    if (requested !== undefined) rate = requested;
    const now = process.hrtime.bigint();
    if (lastSent === undefined || Number(now - lastSent) > rate * 1_000_000) {
      lastSent = now;
      send(msg);
    } else if (outputs === 2) {
      send([null, msg]);
    }
    done();
  }

  return {
    input(msg, send, done) {
      const reset = Object.hasOwn(msg, 'reset');
      if (!drop) enqueue(msg, send, done);
      else if (!reset) dropIfTooSoon(msg, send, done);
      if (reset) {
        // msg.reset with msg.flush: the queue was flushed above and the timing carries on.
        if (msg.flush === undefined) {
          stopInterval();
          lastSent = undefined;
        }
        dropQueue();
        rate = fixedRate;
        node.status({ fill: 'blue', shape: 'ring', text: '0' });
        done();
      }
    },
    close() {
      stopInterval();
      clearTimeout(depthTimer);
      dropQueue();
      node.status({});
    },
  };
}
