import { Type } from '@sinclair/typebox';
import {
  cloneMessage,
  defineNode,
  NodeName,
  NumberLike,
  readmeBeside,
  type DoneFunction,
  type FlowMessage,
  type SendFunction,
} from '@loopedge/runtime';
import { compileMessagePath, getPath, setPath } from '../../shared/property-expression.js';
import { parseSplitter, type Splitter } from './splitter.js';

/** `msg.parts` as the split node writes it and the join node reads it. */
export interface MessageParts {
  id: string;
  type?: 'string' | 'array' | 'object' | 'buffer';
  index?: number;
  count?: number;
  len?: number;
  ch?: string | number[];
  key?: string;
  property?: string;
  /** The parts of an enclosing sequence, when a part is split again. */
  parts?: unknown;
}

/**
 * Node-RED's `split` node: one message per string/buffer piece, array chunk or
 * object key, each carrying `msg.parts` so a join node can rebuild the whole.
 */
export const splitNode = defineNode({
  type: 'split',
  category: 'sequence',
  config: Type.Object({
    name: NodeName,
    splt: Type.Union([Type.String(), Type.Number()], { default: '\\n', description: 'String/buffer split: the separator, a byte array (bin) or a length (len)' }),
    spltType: Type.Union([Type.Literal('str'), Type.Literal('bin'), Type.Literal('len')], { default: 'str', description: 'How strings and buffers are split' }),
    arraySplt: NumberLike(1, 'Array elements per message'),
    arraySpltType: Type.String({ default: 'len' }),
    stream: Type.Boolean({ default: false, description: 'Treat successive messages as one stream (no parts.count)' }),
    addname: Type.String({ default: '', description: 'Object split: copy each key to this message property' }),
    property: Type.String({ default: 'payload', description: 'Message property to split' }),
  }),
  inputs: 1,
  outputs: 1,
  editor: { label: 'split', icon: 'split.svg', color: '#E2D96E', widgets: { property: 'msg-property', addname: 'msg-property' } },
  helpFile: readmeBeside(import.meta.url),
  create(node, config) {
    const propertyName = config.property || 'payload';
    const property = compileMessagePath(propertyName);
    const addnamePath = config.addname ? compileMessagePath(config.addname) : undefined;
    const stream = config.stream === true;
    const splitter: Splitter = parseSplitter(node.id, config.spltType || 'str', config.splt);
    const arraySplt = config.arraySplt === undefined ? 1 : parseInt(String(config.arraySplt), 10);
    if (Number.isNaN(arraySplt) || arraySplt < 1) {
      throw new Error(`split node ${node.id}: invalid array split length "${config.arraySplt}" (field arraySplt); use a whole number of 1 or more`);
    }

    // Stream state: the running part index and what is left over from the previous message.
    let counter = 0;
    let remainder = '';
    let bufferRemainder: Buffer = Buffer.alloc(0);
    let pendingDones: DoneFunction[] = [];

    function releasePending(): void {
      for (const done of pendingDones) done();
      pendingDones = [];
    }

    /** Each piece is a copy with its own message id, as Node-RED's send gives one. */
    function emit(msg: FlowMessage, send: SendFunction, piece: unknown): void {
      setPath(msg, property, piece);
      const out = cloneMessage(msg);
      out._msgid = node.newMessageId();
      send(out);
    }

    function splitStringByLength(msg: FlowMessage, parts: MessageParts, value: string, size: number, send: SendFunction, done: DoneFunction): void {
      parts.ch = '';
      parts.len = size;
      const count = Math.ceil(value.length / size);
      if (!stream) {
        parts.count = count;
        counter = 0;
      }
      let pos = 0;
      for (let i = 0; i < count - 1; i++, pos += size) {
        parts.index = counter++;
        emit(msg, send, value.substring(pos, pos + size));
      }
      if (count > 1) releasePending();
      remainder = value.substring(pos);
      if (!stream || remainder.length === size) {
        parts.index = counter++;
        emit(msg, send, remainder);
        releasePending();
        done();
        remainder = '';
      } else {
        pendingDones.push(done);
      }
    }

    /** Node-RED's sendArray: every piece but the last, then the last unless streaming. */
    function sendPieces(msg: FlowMessage, parts: MessageParts, pieces: string[], send: SendFunction): void {
      for (let i = 0; i < pieces.length - 1; i++) {
        parts.index = counter++;
        if (!stream) parts.count = pieces.length;
        emit(msg, send, pieces[i]);
      }
      const last = pieces[pieces.length - 1] ?? '';
      if (!stream) {
        parts.index = counter++;
        parts.count = pieces.length;
        emit(msg, send, last);
        counter = 0;
      } else {
        remainder = last;
      }
    }

    function splitArray(msg: FlowMessage, parts: MessageParts, value: unknown[], send: SendFunction): void {
      parts.type = 'array';
      parts.count = Math.ceil(value.length / arraySplt);
      parts.len = arraySplt;
      const template = cloneMessage(msg);
      const templateParts = template.parts as MessageParts;
      for (let i = 0, pos = 0; i < parts.count; i++, pos += arraySplt) {
        const chunk = value.slice(pos, pos + arraySplt);
        templateParts.index = i;
        emit(template, send, arraySplt === 1 ? chunk[0] : chunk);
      }
    }

    function splitObject(msg: FlowMessage, parts: MessageParts, value: Record<string, unknown>, send: SendFunction): void {
      parts.type = 'object';
      const keys = Object.keys(value);
      keys.forEach((key, index) => {
        if (addnamePath) setPath(msg, addnamePath, key);
        parts.key = key;
        parts.index = index;
        parts.count = keys.length;
        emit(msg, send, value[key]);
      });
    }

    function splitBufferByLength(msg: FlowMessage, parts: MessageParts, buff: Buffer, size: number, send: SendFunction, done: DoneFunction): void {
      const count = Math.ceil(buff.length / size);
      if (!stream) {
        parts.count = count;
        counter = 0;
      }
      parts.len = size;
      let pos = 0;
      for (let i = 0; i < count - 1; i++, pos += size) {
        parts.index = counter++;
        emit(msg, send, buff.subarray(pos, pos + size));
      }
      if (count > 1) releasePending();
      bufferRemainder = buff.subarray(pos);
      if (!stream || bufferRemainder.length === size) {
        parts.index = counter++;
        emit(msg, send, bufferRemainder);
        releasePending();
        done();
        bufferRemainder = Buffer.alloc(0);
      } else {
        pendingDones.push(done);
      }
    }

    function splitBufferBySeparator(msg: FlowMessage, parts: MessageParts, buff: Buffer, separator: Buffer, send: SendFunction, done: DoneFunction): void {
      if (splitter.kind !== 'len') parts.ch = splitter.kind === 'bin' ? splitter.bytes : splitter.text;
      let count = 1;
      for (let pos = buff.indexOf(separator); pos > -1; pos = buff.indexOf(separator, pos + separator.length)) count++;
      if (!stream) {
        parts.count = count;
        counter = 0;
      }
      let start = 0;
      for (let pos = buff.indexOf(separator); pos > -1; pos = buff.indexOf(separator, start)) {
        parts.index = counter++;
        emit(msg, send, buff.subarray(start, pos));
        start = pos + separator.length;
      }
      if (count > 1) releasePending();
      if (!stream && start < buff.length) {
        parts.index = counter++;
        // Node-RED counts the trailing piece this way; a buffer that ends with the
        // separator therefore announces one part more than it sends.
        parts.count = counter++;
        emit(msg, send, buff.subarray(start));
        releasePending();
      } else {
        bufferRemainder = buff.subarray(start);
        if (bufferRemainder.length > 0) pendingDones.push(done);
      }
      if (bufferRemainder.length === 0) done();
    }

    return {
      input(msg, send, done) {
        const value = getPath(msg, property);
        if (value === undefined) {
          done();
          return;
        }
        // An existing msg.parts is pushed down a level, so nested sequences can be rebuilt in turn.
        const parts: MessageParts = Object.hasOwn(msg, 'parts') ? { parts: msg.parts, id: node.newMessageId() } : { id: node.newMessageId() };
        if (propertyName !== 'payload') parts.property = propertyName;
        msg.parts = parts;
        if (typeof value === 'string') {
          const text = remainder + value; // a stream's leftover comes first
          parts.type = 'string';
          if (splitter.kind === 'len') {
            splitStringByLength(msg, parts, text, splitter.length, send, done);
          } else {
            const separator = splitter.kind === 'bin' ? splitter.buffer.toString() : splitter.text;
            parts.ch = splitter.kind === 'bin' ? splitter.bytes : splitter.text;
            sendPieces(msg, parts, text.split(separator), send);
            done();
          }
        } else if (Array.isArray(value)) {
          splitArray(msg, parts, value, send);
          done();
        } else if (Buffer.isBuffer(value)) {
          const buff = Buffer.concat([bufferRemainder, value]);
          parts.type = 'buffer';
          if (splitter.kind === 'len') splitBufferByLength(msg, parts, buff, splitter.length, send, done);
          else splitBufferBySeparator(msg, parts, buff, splitter.kind === 'bin' ? splitter.buffer : Buffer.from(splitter.text), send, done);
        } else if (typeof value === 'object' && value !== null) {
          splitObject(msg, parts, value as Record<string, unknown>, send);
          done();
        } else {
          done(); // numbers, booleans and null cannot be split: the message is dropped
        }
      },
      close() {
        releasePending();
      },
    };
  },
});
