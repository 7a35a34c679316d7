import { Type } from '@sinclair/typebox';
import { cloneMessage, defineNode, NodeName, NumberLike, readmeBeside, type DoneFunction, type FlowMessage, type SendFunction } from '@loopedge/runtime';
import { compileMessagePath, getPath } from '../../shared/property-expression.js';
import { prepareJsonata } from '../../shared/jsonata-expression.js';
import { prepareTypedValue } from '../../shared/typed-value.js';
import { unescapeSeparator } from '../split/splitter.js';
import { sendGroup, type JoinGroup } from './join-group.js';
import { SequenceReducer } from './reduce-sequence.js';

type Parts = { id?: unknown; type?: string; count?: number; ch?: unknown; key?: unknown; len?: number; index?: number; property?: string; parts?: unknown };

/** What one incoming message says about the group it belongs to. */
interface Placement {
  partId: unknown;
  payloadType: string | undefined;
  targetCount: number | undefined;
  joinChar: unknown;
  propertyKey: unknown;
  arrayLen: number | undefined;
  index: number | undefined;
  value: unknown;
}

/**
 * Node-RED's `join` node: rebuilds sequences made by split (automatic), joins
 * messages into a string, buffer, array or object (manual), or reduces a
 * sequence with a JSONata expression.
 */
export const joinNode = defineNode({
  type: 'join',
  category: 'sequence',
  config: Type.Object({
    name: NodeName,
    mode: Type.Union([Type.Literal('auto'), Type.Literal('custom'), Type.Literal('reduce')], { default: 'auto', description: 'automatic (msg.parts), manual, or reduce sequence' }),
    build: Type.Union([Type.Literal('object'), Type.Literal('merged'), Type.Literal('array'), Type.Literal('string'), Type.Literal('buffer')], {
      default: 'object',
      description: 'Manual mode: what to create',
    }),
    property: Type.String({ default: 'payload', description: 'Manual mode: message property to join' }),
    propertyType: Type.Union([Type.Literal('msg'), Type.Literal('full')], { default: 'msg', description: '"full" joins whole messages' }),
    key: Type.String({ default: 'topic', description: 'Manual object mode: message property used as the key' }),
    joiner: Type.String({ default: '\\n', description: 'Manual string/buffer mode: the separator' }),
    joinerType: Type.Union([Type.Literal('str'), Type.Literal('bin')], { default: 'str' }),
    useparts: Type.Optional(Type.Boolean({ description: 'Manual mode: use an existing msg.parts (missing means yes, as in Node-RED)' })),
    accumulate: Type.Union([Type.Boolean(), Type.String()], { default: false, description: 'Manual mode: keep the group and send again on every subsequent message' }),
    timeout: NumberLike('', 'Manual mode: send after this many seconds from the first message'),
    count: NumberLike('', 'Manual mode: send after this many parts; blank uses msg.parts.count'),
    reduceRight: Type.Boolean({ default: false, description: 'Reduce from the last part to the first' }),
    reduceExp: Type.Optional(Type.String({ description: 'Reduce: JSONata expression with $A, $I, $N' })),
    reduceInit: Type.Optional(Type.Unknown({ description: 'Reduce: initial accumulator value' })),
    reduceInitType: Type.Optional(Type.String({ description: 'Reduce: type of the initial value (num, str, json, ...)' })),
    reduceFixup: Type.Optional(Type.String({ description: 'Reduce: JSONata expression applied to the result, with $A and $N' })),
  }),
  inputs: 1,
  outputs: 1,
  editor: { label: 'join', icon: 'join.svg', color: '#E2D96E', widgets: { property: 'typed-input:propertyType', key: 'msg-property', reduceExp: 'code-jsonata', reduceInit: 'typed-input:reduceInitType', reduceFixup: 'code-jsonata' } },
  helpFile: readmeBeside(import.meta.url),
  create(node, config) {
    const mode = config.mode || 'auto';
    const fullMessages = config.propertyType === 'full';
    const propertyName = fullMessages ? 'payload' : config.property || 'payload';
    const propertyPath = compileMessagePath(propertyName);
    const keyPath = compileMessagePath(mode === 'custom' && config.build === 'object' ? config.key || 'topic' : 'topic');
    const timerMs = mode === 'auto' ? 0 : Number(config.timeout || 0) * 1000;
    const count = Number(config.count || 0);
    const countFromParts = config.count === '';
    const build = config.build || 'array';
    const accumulate = config.accumulate === true; // Node-RED tests for the boolean only
    const useparts = config.useparts === undefined ? true : config.useparts;
    const joiner = parseJoiner(node.id, config.joinerType || 'str', config.joiner ?? '');
    const reducer = mode === 'reduce' ? createReducer() : undefined;
    let inflight = new Map<unknown, JoinGroup>();

    function createReducer(): SequenceReducer {
      if (typeof config.reduceExp !== 'string') {
        throw new Error(`join node ${node.id}: reduce mode needs a JSONata expression (field reduceExp)`);
      }
      const fixupSource = config.reduceFixup === '' || config.reduceFixup === null ? undefined : config.reduceFixup;
      const maxKept = Number(node.settings.nodeMessageBufferMaxLength ?? 0) || 0;
      return new SequenceReducer({
        expression: prepareJsonata(node, config.reduceExp),
        fixup: fixupSource === undefined ? undefined : prepareJsonata(node, fixupSource),
        initial: prepareTypedValue(node, config.reduceInit, config.reduceInitType ?? '', 'reduceInit'),
        right: config.reduceRight === true,
        maxKept,
      });
    }

    function complete(partId: unknown): void {
      const group = inflight.get(partId);
      if (!group) return;
      if (group.timeout) clearTimeout(group.timeout);
      if (mode === 'auto' || !accumulate || Object.hasOwn(group.msg, 'complete')) inflight.delete(partId);
      sendGroup(group, { fullMessages });
    }

    function startTimer(partId: unknown, group: JoinGroup): void {
      if (timerMs > 0) group.timeout = setTimeout(() => complete(partId), timerMs);
    }

    function dropGroup(partId: unknown): void {
      const group = inflight.get(partId);
      if (!group) return;
      if (group.timeout) clearTimeout(group.timeout);
      for (const done of group.dones) done();
      inflight.delete(partId);
    }

    /** Where a message goes: from msg.parts in automatic mode, from the config in manual mode. */
    function place(msg: FlowMessage, value: unknown): Placement {
      if (mode === 'auto') {
        const parts = msg.parts as Parts;
        return {
          partId: parts.id,
          payloadType: parts.type,
          targetCount: parts.count,
          joinChar: parts.ch,
          propertyKey: parts.key,
          arrayLen: parts.len,
          index: parts.index,
          value: getPath(msg, compileMessagePath(parts.property || 'payload')),
        };
      }
      let partId: unknown = '_';
      let targetCount = count;
      const parts = msg.parts as Parts | undefined;
      if (countFromParts && Object.hasOwn(msg, 'parts') && parts) {
        targetCount = parts.count || 0;
        if (Object.hasOwn(parts, 'id')) partId = parts.id;
      }
      const propertyKey = build === 'object' ? getPath(msg, keyPath) : undefined;
      return { partId, payloadType: build, targetCount, joinChar: joiner, propertyKey, arrayLen: undefined, index: undefined, value };
    }

    function newGroup(msg: FlowMessage, where: Placement, send: SendFunction): JoinGroup {
      const objectLike = where.payloadType === 'object' || where.payloadType === 'merged';
      const group: JoinGroup = {
        currentCount: 0,
        payload: objectLike ? {} : [],
        targetCount: where.targetCount,
        type: objectLike ? 'object' : where.payloadType,
        msg: cloneMessage(msg),
        send,
        dones: [],
      };
      if (where.payloadType === 'string') group.joinChar = where.joinChar;
      else if (where.payloadType === 'array') group.arrayLen = where.arrayLen;
      else if (where.payloadType === 'buffer') {
        group.bufferLen = 0;
        group.joinChar = where.joinChar;
      }
      group.prop = mode === 'auto' ? (msg.parts as Parts).property : propertyName;
      return group;
    }

    /** Add one value to its group; false when the value cannot be joined (the message failed). */
    function add(group: JoinGroup, msg: FlowMessage, where: Placement, done: DoneFunction): boolean {
      const value = where.value;
      if (where.payloadType === 'buffer' && value !== undefined) {
        if (Buffer.isBuffer(value) || typeof value === 'string' || Array.isArray(value)) group.bufferLen = (group.bufferLen ?? 0) + value.length;
        else {
          done(`Cannot join ${typeof value} to buffer`); // plain text, as Node-RED reports it
          return false;
        }
      }
      if (where.payloadType === 'object') {
        const payload = group.payload as Record<string, unknown>;
        payload[String(where.propertyKey)] = value;
        group.currentCount = Object.keys(payload).length;
      } else if (where.payloadType === 'merged') {
        if (Array.isArray(value) || typeof value !== 'object') {
          if (!Object.hasOwn(msg, 'complete')) node.warn('Cannot merge non-object types');
        } else {
          const payload = group.payload as Record<string, unknown>;
          for (const [key, item] of Object.entries(value ?? {})) if (key !== '_msgid') payload[key] = item;
          group.currentCount = Object.keys(payload).length;
        }
      } else if (where.index !== undefined && !Number.isNaN(Number(where.index))) {
        const payload = group.payload as unknown[];
        if (payload[where.index] == undefined) group.currentCount++;
        payload[where.index] = value;
      } else if (value !== undefined) {
        (group.payload as unknown[]).push(value);
        group.currentCount++;
      }
      return true;
    }

    function handle(msg: FlowMessage, send: SendFunction, done: DoneFunction): void {
      let value: unknown;
      try {
        value = fullMessages ? msg : getPath(msg, propertyPath);
      } catch {
        node.warn(`Message property ${propertyName} not found`);
        done();
        return;
      }
      const parts = msg.parts as Parts | undefined;
      if (mode === 'auto' && (!Object.hasOwn(msg, 'parts') || !parts || !Object.hasOwn(parts, 'id'))) {
        if (Object.hasOwn(msg, 'reset')) {
          for (const partId of [...inflight.keys()]) dropGroup(partId);
          inflight = new Map();
        } else {
          node.warn("Message missing msg.parts property - cannot join in 'auto' mode");
        }
        done();
        return;
      }
      if (mode === 'custom' && Object.hasOwn(msg, 'parts') && !useparts) {
        // Parts of this sequence are ignored; an enclosing sequence's are kept.
        if (parts && Object.hasOwn(parts, 'parts')) msg.parts = { parts: parts.parts };
        else delete msg.parts;
      }
      if (reducer) {
        reducer.accept({ msg, send, done });
        return;
      }
      const where = place(msg, value);
      const partId = where.partId;
      if (Object.hasOwn(msg, 'restartTimeout')) {
        const group = inflight.get(partId);
        if (group) {
          if (group.timeout) clearTimeout(group.timeout);
          startTimer(partId, group);
        }
      }
      if (Object.hasOwn(msg, 'reset')) {
        dropGroup(partId);
        done();
        return;
      }
      if (where.payloadType === 'object' && (where.propertyKey === null || where.propertyKey === undefined || where.propertyKey === '')) {
        if (mode === 'auto') node.warn("Message missing 'msg.parts.key' property - cannot add to object");
        else if (Object.hasOwn(msg, 'complete')) {
          const group = inflight.get(partId);
          if (group) {
            group.msg.complete = msg.complete;
            group.send = send;
            complete(partId);
          }
        } else node.warn(`Message missing key property 'msg.${config.key || 'topic'}' - cannot add to object`);
        done();
        return;
      }
      let group = inflight.get(partId);
      if (!group) {
        group = newGroup(msg, where, send);
        inflight.set(partId, group);
        startTimer(partId, group);
      }
      group.dones.push(done);
      if (!add(group, msg, where, done)) return;
      group.msg = Object.assign(group.msg, msg);
      group.send = send;
      let target = group.targetCount;
      if (Object.hasOwn(msg, 'parts')) {
        target = group.targetCount || (msg.parts as Parts).count;
        group.targetCount = target;
      }
      if ((target !== undefined && target > 0 && group.currentCount >= target) || Object.hasOwn(msg, 'complete')) complete(partId);
    }

    return {
      input(msg, send, done) {
        try {
          handle(msg, send, done);
        } catch (error) {
          done(error);
        }
      },
      close() {
        for (const partId of [...inflight.keys()]) dropGroup(partId);
        reducer?.clear();
      },
    };
  },
});

/** The manual-mode joiner: an escaped string, or a JSON byte array for buffers ("bin"). */
function parseJoiner(nodeId: string, type: string, joiner: string): string | Buffer {
  if (type !== 'bin') return unescapeSeparator(joiner);
  try {
    const bytes: unknown = JSON.parse(joiner || '[]');
    if (Array.isArray(bytes)) return Buffer.from(bytes as number[]);
  } catch {
    // reported below
  }
  throw new Error(`join node ${nodeId}: invalid joiner "${joiner}" (field joiner); use a JSON array of byte values such as [13,10]`);
}
