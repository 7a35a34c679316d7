/**
 * Node's `Buffer`, as far as function nodes use it, for the inside of an
 * isolate (which has only the ECMAScript built-ins). A Buffer is a Uint8Array
 * subclass, so binary payloads cross the boundary as their bytes and typed
 * array code keeps working.
 *
 * Self-contained on purpose: the engine injects `createIsolateBuffer`'s source
 * text into each isolate, so it must not refer to anything outside itself
 * (the text encodings come in as an argument: isolate-encodings.ts).
 */
import type { ByteEncodings } from './isolate-encodings.js';

export interface IsolateBuffer extends Uint8Array {
  toString(encoding?: string, start?: number, end?: number): string;
}

export interface IsolateBufferClass {
  new (length: number): IsolateBuffer;
  new (buffer: ArrayBuffer, byteOffset?: number, length?: number): IsolateBuffer;
  readonly prototype: IsolateBuffer;
  from(value: unknown, encodingOrOffset?: unknown, length?: unknown): IsolateBuffer;
  isBuffer(value: unknown): boolean;
}

export function createIsolateBuffer(encodings: ByteEncodings): IsolateBufferClass {
  const U8 = Uint8Array;
  const { normalizeEncoding, encodeString, decodeBytes } = encodings;

  function clampIndex(value: unknown, length: number, fallback: number): number {
    if (value === undefined) return fallback;
    let n = Math.trunc(Number(value));
    if (Number.isNaN(n)) n = 0;
    if (n < 0) n = Math.max(length + n, 0);
    return Math.min(n, length);
  }

  function checkOffset(buffer: Uint8Array, offset: unknown, size: number): number {
    const at = offset === undefined ? 0 : Number(offset);
    if (!Number.isInteger(at) || at < 0 || at + size > buffer.length) throw new RangeError(`The value of "offset" is out of range. It must be >= 0 and <= ${buffer.length - size}. Received ${String(offset)}`);
    return at;
  }

  class Buffer extends U8 {
    static override from(value: unknown, encodingOrOffset?: unknown, length?: unknown): Buffer {
      if (typeof value === 'string') return Buffer.#wrap(encodeString(value, normalizeEncoding(encodingOrOffset)));
      if (value instanceof ArrayBuffer) {
        const offset = encodingOrOffset === undefined ? 0 : Number(encodingOrOffset);
        const size = length === undefined ? value.byteLength - offset : Number(length);
        return new Buffer(value, offset, size);
      }
      if (ArrayBuffer.isView(value)) {
        const view = value as ArrayBufferView;
        const copy = new Buffer(view.byteLength);
        copy.set(new U8(view.buffer, view.byteOffset, view.byteLength));
        return copy;
      }
      if (Array.isArray(value)) {
        const copy = new Buffer(value.length);
        for (let i = 0; i < value.length; i++) copy[i] = Number(value[i]) & 255;
        return copy;
      }
      if (value && typeof value === 'object') {
        const record = value as { type?: unknown; data?: unknown; length?: unknown };
        if (record.type === 'Buffer' && Array.isArray(record.data)) return Buffer.from(record.data);
        if (typeof record.length === 'number') return Buffer.from(Array.from(value as ArrayLike<number>));
      }
      throw new TypeError('The first argument must be of type string or an instance of Buffer, ArrayBuffer, or Array or an Array-like Object.');
    }
    static #wrap(bytes: Uint8Array): Buffer {
      return new Buffer(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength);
    }
    static alloc(size: number, fill?: unknown, encoding?: unknown): Buffer {
      const buffer = new Buffer(Buffer.#size(size));
      if (fill !== undefined && fill !== 0) buffer.fill(fill as number, 0, buffer.length, encoding);
      return buffer;
    }
    static allocUnsafe(size: number): Buffer {
      return new Buffer(Buffer.#size(size));
    }
    static allocUnsafeSlow(size: number): Buffer {
      return new Buffer(Buffer.#size(size));
    }
    static #size(size: unknown): number {
      const n = Number(size);
      if (!Number.isInteger(n) || n < 0) throw new RangeError(`The argument 'size' is invalid. Received ${String(size)}`);
      return n;
    }
    static isBuffer(value: unknown): boolean {
      return value instanceof Buffer;
    }
    static isEncoding(encoding: unknown): boolean {
      try {
        normalizeEncoding(encoding);
        return typeof encoding === 'string';
      } catch {
        return false;
      }
    }
    static byteLength(value: unknown, encoding?: unknown): number {
      if (typeof value === 'string') return encodeString(value, normalizeEncoding(encoding)).length;
      if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return (value as ArrayBuffer).byteLength;
      throw new TypeError('The "string" argument must be of type string or an instance of Buffer or ArrayBuffer.');
    }
    static concat(list: readonly Uint8Array[], totalLength?: number): Buffer {
      if (!Array.isArray(list)) throw new TypeError('The "list" argument must be an instance of Array.');
      const total = totalLength === undefined ? list.reduce((sum, item) => sum + item.length, 0) : totalLength;
      const out = Buffer.alloc(total);
      let offset = 0;
      for (const item of list) {
        if (!(item instanceof U8)) throw new TypeError('The "list" argument must contain only Buffer or Uint8Array instances.');
        const part = item.length > total - offset ? item.subarray(0, total - offset) : item;
        out.set(part, offset);
        offset += part.length;
        if (offset >= total) break;
      }
      return out;
    }
    static compare(a: Uint8Array, b: Uint8Array): number {
      const length = Math.min(a.length, b.length);
      for (let i = 0; i < length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
      return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
    }

    override toString(encoding?: unknown, start?: unknown, end?: unknown): string {
      const from = clampIndex(start, this.length, 0);
      const to = clampIndex(end, this.length, this.length);
      return to <= from ? '' : decodeBytes(this, normalizeEncoding(encoding), from, to);
    }
    toJSON(): { type: 'Buffer'; data: number[] } {
      return { type: 'Buffer', data: Array.from(this) };
    }
    equals(other: Uint8Array): boolean {
      if (!(other instanceof U8)) throw new TypeError('The "otherBuffer" argument must be an instance of Buffer or Uint8Array.');
      return Buffer.compare(this, other) === 0;
    }
    compare(other: Uint8Array): number {
      return Buffer.compare(this, other);
    }
    override slice(start?: number, end?: number): Buffer {
      // Node's Buffer#slice shares memory, unlike Uint8Array#slice.
      return this.subarray(start, end) as Buffer;
    }
    write(text: string, offset?: unknown, length?: unknown, encoding?: unknown): number {
      let at = 0;
      let max = this.length;
      let enc = encoding;
      if (typeof offset === 'string') enc = offset;
      else {
        at = offset === undefined ? 0 : Number(offset);
        if (typeof length === 'string') enc = length;
        else if (length !== undefined) max = Number(length);
      }
      const bytes = encodeString(String(text), normalizeEncoding(enc));
      const count = Math.max(0, Math.min(bytes.length, this.length - at, max));
      this.set(bytes.subarray(0, count), at);
      return count;
    }
    copy(target: Uint8Array, targetStart = 0, sourceStart = 0, sourceEnd = this.length): number {
      const part = this.subarray(sourceStart, Math.min(sourceEnd, sourceStart + target.length - targetStart));
      target.set(part, targetStart);
      return part.length;
    }
    override fill(value: unknown, start?: unknown, end?: unknown, encoding?: unknown): this {
      if (typeof start === 'string') return this.fill(value, 0, this.length, start);
      const from = clampIndex(start, this.length, 0);
      const to = clampIndex(end, this.length, this.length);
      if (typeof value === 'number') return super.fill(value & 255, from, to);
      const pattern = typeof value === 'string' ? encodeString(value, normalizeEncoding(encoding)) : value instanceof U8 ? value : new U8([Number(value) & 255]);
      if (pattern.length === 0) return super.fill(0, from, to);
      for (let i = from, j = 0; i < to; i++, j = (j + 1) % pattern.length) this[i] = pattern[j]!;
      return this;
    }
    override indexOf(value: unknown, byteOffset?: number, encoding?: unknown): number {
      if (typeof value === 'number') return super.indexOf(value & 255, byteOffset);
      const needle = typeof value === 'string' ? encodeString(value, normalizeEncoding(encoding)) : (value as Uint8Array);
      const from = clampIndex(byteOffset, this.length, 0);
      if (needle.length === 0) return from;
      outer: for (let i = from; i <= this.length - needle.length; i++) {
        for (let j = 0; j < needle.length; j++) if (this[i + j] !== needle[j]) continue outer;
        return i;
      }
      return -1;
    }
    override includes(value: unknown, byteOffset?: number, encoding?: unknown): boolean {
      return this.indexOf(value, byteOffset, encoding) !== -1;
    }
    #view(): DataView {
      return new DataView(this.buffer, this.byteOffset, this.byteLength);
    }
    readUInt8(offset?: number): number {
      return this[checkOffset(this, offset, 1)]!;
    }
    readInt8(offset?: number): number {
      return this.#view().getInt8(checkOffset(this, offset, 1));
    }
    readUInt16LE(offset?: number): number {
      return this.#view().getUint16(checkOffset(this, offset, 2), true);
    }
    readUInt16BE(offset?: number): number {
      return this.#view().getUint16(checkOffset(this, offset, 2), false);
    }
    readInt16LE(offset?: number): number {
      return this.#view().getInt16(checkOffset(this, offset, 2), true);
    }
    readInt16BE(offset?: number): number {
      return this.#view().getInt16(checkOffset(this, offset, 2), false);
    }
    readUInt32LE(offset?: number): number {
      return this.#view().getUint32(checkOffset(this, offset, 4), true);
    }
    readUInt32BE(offset?: number): number {
      return this.#view().getUint32(checkOffset(this, offset, 4), false);
    }
    readInt32LE(offset?: number): number {
      return this.#view().getInt32(checkOffset(this, offset, 4), true);
    }
    readInt32BE(offset?: number): number {
      return this.#view().getInt32(checkOffset(this, offset, 4), false);
    }
    readFloatLE(offset?: number): number {
      return this.#view().getFloat32(checkOffset(this, offset, 4), true);
    }
    readFloatBE(offset?: number): number {
      return this.#view().getFloat32(checkOffset(this, offset, 4), false);
    }
    readDoubleLE(offset?: number): number {
      return this.#view().getFloat64(checkOffset(this, offset, 8), true);
    }
    readDoubleBE(offset?: number): number {
      return this.#view().getFloat64(checkOffset(this, offset, 8), false);
    }
    readBigInt64LE(offset?: number): bigint {
      return this.#view().getBigInt64(checkOffset(this, offset, 8), true);
    }
    readBigUInt64LE(offset?: number): bigint {
      return this.#view().getBigUint64(checkOffset(this, offset, 8), true);
    }
    writeUInt8(value: number, offset?: number): number {
      const at = checkOffset(this, offset, 1);
      this[at] = value & 255;
      return at + 1;
    }
    writeInt8(value: number, offset?: number): number {
      const at = checkOffset(this, offset, 1);
      this.#view().setInt8(at, value);
      return at + 1;
    }
    writeUInt16LE(value: number, offset?: number): number {
      return this.#set('setUint16', value, offset, 2, true);
    }
    writeUInt16BE(value: number, offset?: number): number {
      return this.#set('setUint16', value, offset, 2, false);
    }
    writeInt16LE(value: number, offset?: number): number {
      return this.#set('setInt16', value, offset, 2, true);
    }
    writeInt16BE(value: number, offset?: number): number {
      return this.#set('setInt16', value, offset, 2, false);
    }
    writeUInt32LE(value: number, offset?: number): number {
      return this.#set('setUint32', value, offset, 4, true);
    }
    writeUInt32BE(value: number, offset?: number): number {
      return this.#set('setUint32', value, offset, 4, false);
    }
    writeInt32LE(value: number, offset?: number): number {
      return this.#set('setInt32', value, offset, 4, true);
    }
    writeInt32BE(value: number, offset?: number): number {
      return this.#set('setInt32', value, offset, 4, false);
    }
    writeFloatLE(value: number, offset?: number): number {
      return this.#set('setFloat32', value, offset, 4, true);
    }
    writeFloatBE(value: number, offset?: number): number {
      return this.#set('setFloat32', value, offset, 4, false);
    }
    writeDoubleLE(value: number, offset?: number): number {
      return this.#set('setFloat64', value, offset, 8, true);
    }
    writeDoubleBE(value: number, offset?: number): number {
      return this.#set('setFloat64', value, offset, 8, false);
    }
    #set(method: 'setUint16' | 'setInt16' | 'setUint32' | 'setInt32' | 'setFloat32' | 'setFloat64', value: number, offset: number | undefined, size: number, little: boolean): number {
      const at = checkOffset(this, offset, size);
      this.#view()[method](at, Number(value), little);
      return at + size;
    }
    swap16(): this {
      for (let i = 0; i + 1 < this.length; i += 2) [this[i], this[i + 1]] = [this[i + 1]!, this[i]!];
      return this;
    }
  }
  // Node's lower-case aliases (readUint8 ...).
  const proto = Buffer.prototype as unknown as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(Buffer.prototype)) {
    if (/^(read|write)UInt/.test(name)) proto[name.replace('UInt', 'Uint')] = proto[name];
    if (/^readBigUInt/.test(name)) proto[name.replace('BigUInt', 'BigUint')] = proto[name];
  }
  Object.defineProperty(Buffer, 'name', { value: 'Buffer' });
  return Buffer as unknown as IsolateBufferClass;
}
