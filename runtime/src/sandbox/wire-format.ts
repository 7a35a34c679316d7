/**
 * How values cross the sandbox boundary (runtime ⇄ sandbox process ⇄ engine):
 * one self-describing byte frame per value, built from the value codec's JSON
 * text and exact-byte attachments. Decoding never trusts the frame: every
 * length is checked against the frame and the caps before anything is read.
 *
 *   byte 0      0x4C ('L')          magic
 *   byte 1      1                   version
 *   bytes 2-5   uint32 LE           byte length of the UTF-8 JSON text
 *   ...         JSON text
 *   uint32 LE   number of binary attachments, then per attachment:
 *   uint32 LE   byte length, then the bytes
 */
import { Buffer } from 'node:buffer';
import { createValueCodec, type EncodedValue, type ValueCodecError, type ValueCodecLimits } from './value-codec.js';

export type { EncodedValue, ValueCodecLimits } from './value-codec.js';

const MAGIC = 0x4c;
const VERSION = 1;
const HEADER_BYTES = 6;

/** Caps every value crossing the boundary obeys unless a caller passes its own. */
export const DEFAULT_WIRE_LIMITS: Readonly<ValueCodecLimits> = Object.freeze({ maxBytes: 16 * 1024 * 1024, maxDepth: 256 });

/** A value that cannot cross: too large, too deep, circular, or a malformed frame. */
export class WireFormatError extends Error {
  constructor(
    message: string,
    readonly code: ValueCodecError['code'],
  ) {
    super(message);
    this.name = 'WireFormatError';
  }
}

const codecs = new Map<string, ReturnType<typeof createValueCodec>>();

function codecFor(limits: ValueCodecLimits): ReturnType<typeof createValueCodec> {
  const key = `${limits.maxBytes}:${limits.maxDepth}`;
  let codec = codecs.get(key);
  if (!codec) {
    codec = createValueCodec({
      limits,
      isBuffer: (value) => Buffer.isBuffer(value),
      makeBuffer: (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    });
    codecs.set(key, codec);
  }
  return codec;
}

function rethrow(error: unknown): never {
  if (error instanceof Error && error.name === 'ValueCodecError') throw new WireFormatError(error.message, (error as ValueCodecError).code);
  throw error;
}

/** Encode a value into a frame. Throws WireFormatError when it cannot cross. */
export function encodeValue(value: unknown, limits: ValueCodecLimits = DEFAULT_WIRE_LIMITS): Uint8Array {
  let encoded: EncodedValue;
  try {
    encoded = codecFor(limits).encode(value);
  } catch (error) {
    rethrow(error);
  }
  return frameEncoded(encoded, limits);
}

/** Decode a frame into a fresh value (Buffers own exact copies of their bytes). */
export function decodeValue(frame: Uint8Array, limits: ValueCodecLimits = DEFAULT_WIRE_LIMITS): unknown {
  const { json, binaries } = split(frame, limits, false);
  try {
    return codecFor(limits).decode(json, binaries);
  } catch (error) {
    return rethrow(error);
  }
}

/** Build a frame from JSON text and attachments (as an engine's codec produced them). */
export function frameEncoded(encoded: EncodedValue, limits: ValueCodecLimits = DEFAULT_WIRE_LIMITS): Uint8Array {
  const jsonBytes = Buffer.byteLength(encoded.json, 'utf8');
  let total = HEADER_BYTES + jsonBytes + 4;
  for (const binary of encoded.binaries) total += 4 + binary.byteLength;
  if (total > limits.maxBytes + 1024) throw new WireFormatError(`The value is larger than ${limits.maxBytes} bytes (${total} bytes encoded)`, 'too-large');
  // Not from Buffer's shared pool: the frame may be handed on as a whole.
  const frame = Buffer.allocUnsafeSlow(total);
  frame[0] = MAGIC;
  frame[1] = VERSION;
  frame.writeUInt32LE(jsonBytes, 2);
  frame.write(encoded.json, HEADER_BYTES, jsonBytes, 'utf8');
  let offset = HEADER_BYTES + jsonBytes;
  frame.writeUInt32LE(encoded.binaries.length, offset);
  offset += 4;
  for (const binary of encoded.binaries) {
    frame.writeUInt32LE(binary.byteLength, offset);
    offset += 4;
    frame.set(binary, offset);
    offset += binary.byteLength;
  }
  return new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength);
}

/**
 * Split a frame into JSON text and attachments. Each attachment is an exact
 * copy with its own ArrayBuffer: a view would carry the whole frame (and the
 * channel buffer around it) into whoever receives the attachment.
 */
export function unframe(frame: Uint8Array, limits: ValueCodecLimits = DEFAULT_WIRE_LIMITS): EncodedValue {
  return split(frame, limits, true);
}

function split(frame: Uint8Array, limits: ValueCodecLimits, copy: boolean): EncodedValue {
  if (!(frame instanceof Uint8Array)) throw new WireFormatError('Encoded value is not a byte frame', 'malformed');
  if (frame.byteLength > limits.maxBytes + 1024) throw new WireFormatError(`The value is larger than ${limits.maxBytes} bytes (${frame.byteLength} bytes encoded)`, 'too-large');
  if (frame.byteLength < HEADER_BYTES + 4 || frame[0] !== MAGIC) throw new WireFormatError('Encoded value is not a LoopEdge wire frame', 'malformed');
  if (frame[1] !== VERSION) throw new WireFormatError(`Wire frame version ${frame[1]} is not supported (expected ${VERSION})`, 'malformed');
  const view = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  const jsonBytes = view.readUInt32LE(2);
  let offset = HEADER_BYTES + jsonBytes;
  if (offset + 4 > view.byteLength) throw new WireFormatError('Wire frame is truncated (JSON text)', 'malformed');
  const json = view.toString('utf8', HEADER_BYTES, offset);
  const count = view.readUInt32LE(offset);
  offset += 4;
  if (count > (view.byteLength - offset) / 4) throw new WireFormatError('Wire frame is truncated (attachment count)', 'malformed');
  const binaries: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    if (offset + 4 > view.byteLength) throw new WireFormatError('Wire frame is truncated (attachment length)', 'malformed');
    const length = view.readUInt32LE(offset);
    offset += 4;
    if (offset + length > view.byteLength) throw new WireFormatError('Wire frame is truncated (attachment bytes)', 'malformed');
    binaries.push(copy ? new Uint8Array(view.subarray(offset, offset + length)) : view.subarray(offset, offset + length));
    offset += length;
  }
  if (offset !== view.byteLength) throw new WireFormatError('Wire frame has trailing bytes', 'malformed');
  return { json, binaries };
}

/**
 * A value on the runtime ⇄ sandbox channel: its JSON text alone, or the text
 * with its attachments. Strings cross Node's IPC serializer as plain copies,
 * so the common message (no binary data) costs no byte framing at all.
 */
export type WireValue = string | [json: string, binaries: Uint8Array[]];

/** Encode a value for the channel. Throws WireFormatError when it cannot cross. */
export function encodeWire(value: unknown, limits: ValueCodecLimits = DEFAULT_WIRE_LIMITS): WireValue {
  let encoded: EncodedValue;
  try {
    encoded = codecFor(limits).encode(value);
  } catch (error) {
    rethrow(error);
  }
  return wireOf(encoded);
}

/** Decode a value from the channel (attachments are copied: the received ones may share the channel's buffer). */
export function decodeWire(wire: WireValue, limits: ValueCodecLimits = DEFAULT_WIRE_LIMITS): unknown {
  const { json, binaries } = encodedOf(wire);
  try {
    return codecFor(limits).decode(json, binaries);
  } catch (error) {
    return rethrow(error);
  }
}

export function wireOf(encoded: EncodedValue): WireValue {
  return encoded.binaries.length === 0 ? encoded.json : [encoded.json, encoded.binaries];
}

/**
 * The text and attachments of a channel value, each attachment an exact copy
 * with its own memory: one received over IPC is a view of the whole channel
 * message, and must not carry its neighbours anywhere.
 */
export function encodedOf(wire: WireValue): EncodedValue {
  if (typeof wire === 'string') return { json: wire, binaries: [] };
  if (!Array.isArray(wire) || typeof wire[0] !== 'string' || !Array.isArray(wire[1])) throw new WireFormatError('Malformed channel value', 'malformed');
  return { json: wire[0], binaries: wire[1].map((binary) => (binary instanceof Uint8Array ? new Uint8Array(binary) : new Uint8Array(0))) };
}
