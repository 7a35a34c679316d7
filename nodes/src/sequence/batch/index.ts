import { Type } from '@sinclair/typebox';
import { cloneMessage, defineNode, NodeName, NumberLike, readmeBeside, type DoneFunction, type FlowMessage, type NodeApi, type NodeHandlers, type SendFunction } from '@loopedge/runtime';

interface HeldMessage {
  msg: FlowMessage;
  send: SendFunction;
  done: DoneFunction;
}

type Parts = { id?: unknown; index?: number; count?: number };

// Node-RED reports these failures as plain text (no "Error:" prefix, no stack); so do we.
const TOO_MANY = 'too many pending messages in batch node';

/**
 * Node-RED's `batch` node: makes sequences (msg.parts) from a stream of
 * messages — by count (with overlap), by time interval, or by concatenating
 * sequences of several topics.
 */
export const batchNode = defineNode({
  type: 'batch',
  category: 'sequence',
  config: Type.Object({
    name: NodeName,
    mode: Type.Union([Type.Literal('count'), Type.Literal('interval'), Type.Literal('concat')], { default: 'count' }),
    count: NumberLike(10, 'Count mode: messages per sequence'),
    overlap: NumberLike(0, 'Count mode: messages repeated at the start of the next sequence'),
    interval: NumberLike(10, 'Interval mode: seconds per sequence'),
    allowEmptySequence: Type.Boolean({ default: false, description: 'Interval mode: send an empty message when nothing arrived' }),
    honourParts: Type.Boolean({ default: false, description: 'Count mode: the last part of an incoming sequence also ends the batch' }),
    topics: Type.Array(Type.Object({ topic: Type.String() }), { default: [{ topic: '' }], description: 'Concat mode: topics whose sequences are concatenated, in order' }),
  }),
  inputs: 1,
  outputs: 1,
  editor: { label: 'batch', icon: 'batch.svg', color: '#E2D96E' },
  helpFile: readmeBeside(import.meta.url),
  create(node, config) {
    const maxKept = Number(node.settings.nodeMessageBufferMaxLength ?? 0) || 0;
    const mode = config.mode || 'count';
    if (mode === 'count') return countBatcher(node, Number(config.count || 1), Number(config.overlap || 0), config.honourParts === true, maxKept);
    if (mode === 'interval') return intervalBatcher(node, Number(config.interval || 0) * 1000, config.allowEmptySequence === true, maxKept);
    return concatBatcher((config.topics ?? []).map((t) => t.topic), maxKept);
  },
});

/**
 * Send held messages as one sequence: parts.id is the first message's id.
 * Existing msg.parts keep their other fields, as in Node-RED.
 */
function sendSequence(held: HeldMessage[], copy: boolean): void {
  const id = held[0]!.msg._msgid;
  held.forEach((entry, index) => {
    const msg = copy ? cloneMessage(entry.msg) : entry.msg;
    if (!Object.hasOwn(msg, 'parts') || msg.parts === null || typeof msg.parts !== 'object') msg.parts = {};
    Object.assign(msg.parts as Parts, { id, index, count: held.length });
    entry.send(msg);
  });
}

/** When too many messages are held: the newest fails, the rest are just done. */
function overflow(held: HeldMessage[]): void {
  const last = held.pop();
  last?.done(TOO_MANY);
  for (const entry of held) entry.done();
}

function countBatcher(node: NodeApi, count: number, overlap: number, honourParts: boolean, maxKept: number): NodeHandlers {
  if (count <= overlap) {
    throw new Error(`batch node ${node.id}: invalid count and overlap (count ${count}, overlap ${overlap}); the count must be larger than the overlap`);
  }
  let pending: HeldMessage[] = [];
  let pendingCount = 0;
  return {
    input(msg, send, done) {
      if (Object.hasOwn(msg, 'reset')) {
        for (const entry of pending) entry.done();
        pending = [];
        pendingCount = 0;
        done();
        return;
      }
      let endOfSequence = false;
      const parts = msg.parts as Parts | undefined;
      if (honourParts && Object.hasOwn(msg, 'parts') && parts && (parts.index ?? NaN) + 1 === parts.count) endOfSequence = true;
      pending.push({ msg, send, done });
      pendingCount++;
      if (pending.length === count || endOfSequence) {
        // With overlap, the last messages are sent again in the next sequence, so each send is a copy.
        sendSequence(pending, overlap > 0);
        for (const entry of pending.slice(0, pending.length - overlap)) entry.done();
        pending = overlap === 0 ? [] : pending.slice(-overlap);
        pendingCount = 0;
      }
      if (maxKept > 0 && pendingCount > maxKept) {
        overflow(pending);
        pending = [];
        pendingCount = 0;
      }
    },
    close() {
      for (const entry of pending) entry.done();
      pending = [];
      pendingCount = 0;
    },
  };
}

function intervalBatcher(node: NodeApi, intervalMs: number, allowEmpty: boolean, maxKept: number): NodeHandlers {
  let pending: HeldMessage[] = [];
  let timer: NodeJS.Timeout | undefined;

  function flush(): void {
    if (pending.length > 0) {
      const held = pending;
      pending = [];
      sendSequence(held, false);
      for (const entry of held) entry.done();
    } else if (allowEmpty) {
      node.send({ _msgid: node.newMessageId(), payload: null, parts: { id: node.newMessageId(), index: 0, count: 1 } });
    }
  }

  function start(): void {
    if (intervalMs > 0) timer = setInterval(flush, intervalMs);
  }
  start();

  return {
    input(msg, send, done) {
      if (Object.hasOwn(msg, 'reset')) {
        clearInterval(timer);
        for (const entry of pending) entry.done();
        pending = [];
        done();
        start(); // the interval starts again from the reset
        return;
      }
      pending.push({ msg, send, done });
      if (maxKept > 0 && pending.length > maxKept) {
        overflow(pending);
        pending = [];
      }
    },
    close() {
      clearInterval(timer);
      for (const entry of pending) entry.done();
      pending = [];
    },
  };
}

interface TopicSequences {
  /** Sequence ids in arrival order; only the first one can complete. */
  ids: unknown[];
  sequences: Map<unknown, { held: HeldMessage[]; count: number | undefined }>;
}

function concatBatcher(topics: string[], maxKept: number): NodeHandlers {
  let pending = new Map<string, TopicSequences>();
  let pendingCount = 0;

  function firstSequence(topic: string) {
    const entry = pending.get(topic);
    const id = entry?.ids[0];
    return id === undefined ? undefined : entry!.sequences.get(id);
  }

  function dropAll(): void {
    for (const entry of pending.values()) for (const sequence of entry.sequences.values()) for (const held of sequence.held) held.done();
    pending = new Map();
    pendingCount = 0;
  }

  /** When the first sequence of every topic is complete, send them as one sequence, in topic order. */
  function tryConcat(): void {
    const firsts = topics.map(firstSequence);
    if (!firsts.every((s) => s !== undefined && s.count === s.held.length)) return;
    const held = firsts.flatMap((s) => s!.held);
    for (const topic of topics) {
      const entry = pending.get(topic)!;
      const id = entry.ids.shift();
      entry.sequences.delete(id);
    }
    sendSequence(held, true);
    for (const entry of held) entry.done();
    pendingCount -= held.length;
  }

  return {
    input(msg, send, done) {
      if (Object.hasOwn(msg, 'reset')) {
        dropAll();
        done();
        return;
      }
      const topic = msg.topic as string;
      if (!topics.includes(topic)) {
        done(); // a topic not in the list is ignored
        return;
      }
      const parts = msg.parts as Parts | undefined;
      if (!parts || typeof parts !== 'object' || !Object.hasOwn(parts, 'id') || !Object.hasOwn(parts, 'index') || !Object.hasOwn(parts, 'count')) {
        done('no parts property in message');
        return;
      }
      let entry = pending.get(topic);
      if (!entry) {
        entry = { ids: [], sequences: new Map() };
        pending.set(topic, entry);
      }
      let sequence = entry.sequences.get(parts.id);
      if (!sequence) {
        sequence = { held: [], count: undefined };
        entry.sequences.set(parts.id, sequence);
        entry.ids.push(parts.id);
      }
      sequence.held.push({ msg, send, done });
      if (sequence.count === undefined) sequence.count = parts.count;
      pendingCount++;
      if (maxKept > 0 && pendingCount > maxKept) {
        const current = msg;
        for (const e of pending.values()) {
          for (const s of e.sequences.values()) for (const held of s.held) held.done(held.msg === current ? TOO_MANY : undefined);
        }
        pending = new Map();
        pendingCount = 0;
      }
      tryConcat();
    },
    close() {
      dropAll();
    },
  };
}
