import type { NodeApi, NodeHandlers } from '@loopedge/runtime';
import type { QueuedMessage } from './rate-limit.js';
import { numericOverride } from './units.js';

export interface TopicQueueOptions {
  rateMs: number;
  /** timed: release the latest message of every topic each interval; queue: one topic per interval. */
  sendAll: boolean;
  allowRate: boolean;
  outputs: 1 | 2;
}

/**
 * Rate limit per topic: only the latest message of each topic is kept (the one
 * it replaces is dropped, or sent on output 2); each interval releases the
 * next topic in turn (queue) or every topic (timed).
 */
export function rateLimitByTopic(node: NodeApi, options: TopicQueueOptions): NodeHandlers {
  const { sendAll, allowRate, outputs } = options;
  const fixedRate = options.rateMs;
  let rate = fixedRate;
  let buffer: QueuedMessage[] = [];
  let depthTimer: NodeJS.Timeout | undefined;
  let interval = setInterval(tick, rate);

  function reportDepth(): void {
    if (depthTimer) return;
    depthTimer = setTimeout(() => {
      depthTimer = undefined;
      node.status({ fill: 'blue', shape: 'dot', text: String(buffer.length) });
    }, 500);
  }

  function release(queued: QueuedMessage): void {
    queued.send(queued.msg);
    queued.done();
  }

  function tick(): void {
    if (sendAll) {
      while (buffer.length > 0) release(buffer.shift()!);
    } else if (buffer.length > 0) {
      release(buffer.shift()!);
    }
    reportDepth();
  }

  return {
    input(msg, send, done) {
      const requested = allowRate && Object.hasOwn(msg, 'rate') ? numericOverride(msg.rate) : undefined;
      if (requested !== undefined && requested !== rate) {
        // Node-RED switches to its one-at-a-time queue release here, which stops
        // for good once the queue is empty; we keep this mode's own release.
        rate = requested;
        clearInterval(interval);
        interval = setInterval(tick, rate);
      }
      // Node-RED gives messages without a topic the topic "_none_", visibly.
      if (!Object.hasOwn(msg, 'topic')) msg.topic = '_none_';
      const index = buffer.findIndex((queued) => queued.msg.topic === msg.topic);
      if (index !== -1) {
        const replaced = buffer[index]!;
        if (outputs === 2) send([null, replaced.msg]);
        replaced.done();
        buffer[index] = { msg, send, done };
      } else {
        buffer.push({ msg, send, done });
        reportDepth();
      }
      if (Object.hasOwn(msg, 'flush')) {
        let n = buffer.length;
        if (typeof msg.flush === 'number') n = Math.min(Math.floor(msg.flush), n);
        for (; n > 0; n--) {
          const queued = buffer.shift()!;
          delete queued.msg.flush;
          delete queued.msg.reset;
          // _msgid and topic are always there: anything more is worth sending.
          if (Object.keys(queued.msg).length > 2) node.send(queued.msg);
          queued.done();
        }
        node.status({});
        done();
      }
      if (Object.hasOwn(msg, 'reset')) {
        for (const queued of buffer) queued.done();
        buffer = [];
        rate = fixedRate;
        node.status({ text: 'reset' });
        done();
      }
    },
    close() {
      clearInterval(interval);
      clearTimeout(depthTimer);
      for (const queued of buffer) queued.done();
      buffer = [];
      node.status({});
    },
  };
}
