/**
 * The one place the Python engine meets the sandbox wire format
 * (sandbox/wire-format.ts). Python reads and writes the format's JSON text
 * and attachments itself (prelude-bridge.ts), so a message crosses the worker
 * as the same text and bytes: no decoding into JavaScript objects and back.
 */
import { decodeValue, encodeValue, frameEncoded, unframe } from '../wire-format.js';
import type { PyValue } from './worker/frames.js';

export function encodeWireValue(value: unknown): Uint8Array {
  return encodeValue(value);
}

export function decodeWireValue(bytes: Uint8Array): unknown {
  return decodeValue(bytes);
}

/** A wire frame → the JSON text and exact bytes Python decodes. */
export function wireToPy(frame: Uint8Array): PyValue {
  const { json, binaries } = unframe(frame);
  return { json, blobs: binaries };
}

/** Python's JSON text and bytes → a wire frame (size-checked). */
export function pyToWire(value: PyValue): Uint8Array {
  return frameEncoded({ json: value.json, binaries: value.blobs });
}
