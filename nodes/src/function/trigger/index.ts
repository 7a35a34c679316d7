import { Type } from '@sinclair/typebox';
import {
  cloneMessage,
  cloneValue,
  defineNode,
  NodeName,
  NumberLike,
  readmeBeside,
  type DoneFunction,
  type FlowMessage,
  type NodeStatus,
  type SendFunction,
} from '@loopedge/runtime';
import { compileMessagePath, getPath } from '../../shared/property-expression.js';
import { prepareTriggerValue } from './trigger-values.js';

/** The state of one stream (all messages, or one topic). */
interface Stream {
  /** A pending timer; 0 means "blocked until reset" (duration 0); undefined means idle. */
  tout?: NodeJS.Timeout | 0;
  /** The value the second message will carry. */
  m2?: unknown;
}

interface Incoming {
  msg: FlowMessage;
  send: SendFunction;
  done: DoneFunction;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, min: 60 * 1000, hr: 60 * 60 * 1000 };

/**
 * Node-RED's `trigger` node: sends a first message, then after a duration a
 * second one, unless reset; can extend the wait, block until reset, or resend
 * the first message periodically; separately per topic if wanted.
 */
export const triggerNode = defineNode({
  type: 'trigger',
  category: 'function',
  config: Type.Object({
    name: NodeName,
    op1: Type.Union([Type.String(), Type.Number(), Type.Boolean()], { default: '1', description: 'First message payload' }),
    op2: Type.Union([Type.String(), Type.Number(), Type.Boolean()], { default: '0', description: 'Second message payload' }),
    op1type: Type.String({ default: 'val', description: 'str, num, bool, json, bin, date, flow, global, env, pay (existing payload) or nul (nothing)' }),
    op2type: Type.String({ default: 'val', description: 'as op1type, plus payl (the latest message)' }),
    duration: NumberLike('250', 'Wait before the second message; 0 = until reset; negative = resend the first message every |duration|'),
    extend: Type.Union([Type.Boolean(), Type.String()], { default: false, description: 'Restart the wait when a new message arrives' }),
    overrideDelay: Type.Union([Type.Boolean(), Type.String()], { default: false, description: 'Let msg.delay (milliseconds) set the duration' }),
    units: Type.String({ default: 'ms', description: 'ms, s, min or hr' }),
    reset: Type.String({ default: '', description: 'A payload equal to this also resets the trigger' }),
    bytopic: Type.Union([Type.Literal('all'), Type.Literal('topic')], { default: 'all', description: 'One trigger for all messages, or one per topic' }),
    topic: Type.String({ default: 'topic', description: 'Message property that names the topic (bytopic = topic)' }),
    outputs: NumberLike(1, '2 sends the second message on its own output'),
  }),
  inputs: 1,
  outputs: (config) => (Number(config.outputs) === 2 ? 2 : 1),
  editor: { label: 'trigger', icon: 'trigger.svg', color: '#E6E0F8', widgets: { op1: 'typed-input:op1type', op2: 'typed-input:op2type', topic: 'msg-property' } },
  helpFile: readmeBeside(import.meta.url),
  create(node, config) {
    const op1 = prepareTriggerValue(node, config.op1, config.op1type, 'op1');
    const op2 = prepareTriggerValue(node, config.op2, config.op2type, 'op2');
    const secondOutput = Number(config.outputs) === 2;
    const perTopic = (config.bytopic || 'all') !== 'all';
    const topicPath = compileMessagePath(config.topic || 'topic');
    // Node-RED tests `n.overrideDelay || false`, so the string "false" it writes
    // as the editor default switches the override on; kept for identical behaviour.
    const overrideDelay = Boolean(config.overrideDelay);
    const resetPayload = config.reset || '';
    let duration = parseFloat(String(config.duration));
    if (Number.isNaN(duration)) duration = 250;
    const loop = duration < 0;
    const extend = !loop && (config.extend === true || config.extend === 'true');
    duration = Math.abs(duration) * (UNIT_MS[config.units] ?? 1);

    const streams = new Map<string, Stream>();
    const latest = new Map<string, FlowMessage>(); // op2 "payl": the latest message per stream
    let queue: Promise<void> = Promise.resolve();

    function status(): NodeStatus {
      const n = streams.size;
      if (n === 0) return {};
      if (n === 1) return { fill: 'blue', shape: 'dot' };
      return { fill: 'blue', shape: 'dot', text: String(n) };
    }

    function stopTimer(stream: Stream | undefined): void {
      if (!stream?.tout) return;
      if (loop) clearInterval(stream.tout);
      else clearTimeout(stream.tout);
    }

    function isReset(msg: FlowMessage): boolean {
      if (Object.hasOwn(msg, 'reset')) return true;
      if (resetPayload === '' || !Object.hasOwn(msg, 'payload') || msg.payload === null || msg.payload === undefined) return false;
      const payload = msg.payload as { toString?: () => string };
      return typeof payload.toString === 'function' && payload.toString() == resetPayload;
    }

    const refreshedAtTimeout = (type: string): boolean => type === 'flow' || type === 'global';

    /** The wait ended: send the second message (unless op2 is "nothing") and go idle. */
    async function sendSecond(key: string, stream: Stream, msg: FlowMessage, send: SendFunction): Promise<void> {
      if (op2.type !== 'nul') {
        const second = cloneMessage(msg);
        if (refreshedAtTimeout(op2.type) || op2.type === 'date') stream.m2 = await op2.evaluate(msg);
        if (op2.type === 'payl') {
          const last = latest.get(key);
          send(secondOutput ? [null, last] : last);
          latest.delete(key);
        } else {
          second.payload = stream.m2;
          send(secondOutput ? [null, second] : second);
        }
      }
      streams.delete(key);
      node.status(status());
    }

    /** The extended wait ended: the second message is built on the latest message. */
    async function sendSecondExtended(key: string, stream: Stream, msg: FlowMessage, send: SendFunction): Promise<void> {
      let second: FlowMessage | null = null;
      if (op2.type !== 'nul' && refreshedAtTimeout(op2.type)) stream.m2 = await op2.evaluate(msg);
      if (op2.type !== 'nul' && streams.has(key)) {
        second = cloneMessage(msg);
        second.payload = streams.get(key)!.m2;
      }
      streams.delete(key);
      node.status(status());
      send(secondOutput ? [null, second] : second);
    }

    function afterTimeout(task: () => Promise<void>): () => void {
      return () => {
        task().catch((error: unknown) => node.error(error));
      };
    }

    async function process({ msg, send, done }: Incoming): Promise<void> {
      let key = String(getPath(msg, topicPath) || '_none');
      let wait = duration;
      if (overrideDelay && Object.hasOwn(msg, 'delay') && !Number.isNaN(parseFloat(msg.delay as string))) wait = parseFloat(msg.delay as string);
      if (!perTopic) key = '_none';
      const stream = streams.get(key) ?? {};
      streams.set(key, stream);
      if (isReset(msg)) {
        stopTimer(stream);
        streams.delete(key);
        node.status(status());
        done();
        return;
      }
      if (op2.type === 'payl') latest.set(key, cloneMessage(msg));
      if (stream.tout === undefined || loop) {
        await startStream(key, stream, msg, send, wait);
        done();
        node.status(status());
        if (op1.type !== 'nul') send(cloneMessage(msg));
        return;
      }
      if (extend && wait > 0) {
        if (op2.type === 'payl') stream.m2 = cloneValue(msg.payload);
        if (stream.tout) clearTimeout(stream.tout);
        stream.tout = setTimeout(afterTimeout(() => sendSecondExtended(key, stream, msg, send)), wait);
      }
      done(); // blocked: the message is dropped
    }

    /** First message of a stream: fix the second value, set the first, start the wait. */
    async function startStream(key: string, stream: Stream, msg: FlowMessage, send: SendFunction, wait: number): Promise<void> {
      if (op2.type === 'pay') stream.m2 = cloneValue(msg.payload);
      else if (op2.templated) stream.m2 = op2.evaluate(msg);
      else if (op2.type !== 'nul') stream.m2 = await op2.evaluate(msg);
      if (op1.type !== 'pay' && op1.type !== 'nul') msg.payload = await op1.evaluate(msg);
      if (wait === 0) {
        stream.tout = 0;
      } else if (loop) {
        stopTimer(stream);
        if (op1.type !== 'nul') {
          const repeated = cloneMessage(msg);
          stream.tout = setInterval(() => {
            if (op1.type === 'date') repeated.payload = Date.now();
            send(cloneMessage(repeated));
          }, wait);
        }
      } else if (!stream.tout) {
        stream.tout = setTimeout(afterTimeout(() => sendSecond(key, stream, msg, send)), wait);
      }
    }

    return {
      input(msg, send, done) {
        // Messages are handled strictly in order: evaluating a value may be asynchronous.
        queue = queue.then(() => process({ msg, send, done })).catch((error: unknown) => done(error));
      },
      close() {
        for (const stream of streams.values()) stopTimer(stream);
        streams.clear();
        latest.clear();
        node.status(status());
      },
    };
  },
});
