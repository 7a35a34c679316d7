/**
 * Frames between a Python interpreter and its worker (the format is described
 * in prelude-bridge.ts): part 0 a JSON control object, then optionally a value
 * as JSON text plus exact bytes. Shared by the worker's device and its tests.
 */

/** A value as Python reads and writes it: the wire format's JSON text and its attachments. */
export interface PyValue {
  json: string;
  blobs: Uint8Array[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

/** Build one frame: u32 total, u32 count, u32 length per part, the parts. */
export function buildFrame(control: object, value?: PyValue): Uint8Array {
  const parts: Uint8Array[] = [encoder.encode(JSON.stringify(control))];
  if (value) parts.push(encoder.encode(value.json), ...value.blobs);
  let total = 4 + 4 * parts.length;
  for (const part of parts) total += part.length;
  const frame = new Uint8Array(4 + total);
  const view = new DataView(frame.buffer);
  view.setUint32(0, total, true);
  view.setUint32(4, parts.length, true);
  let offset = 8 + 4 * parts.length;
  parts.forEach((part, i) => {
    view.setUint32(8 + 4 * i, part.length, true);
    frame.set(part, offset);
    offset += part.length;
  });
  return frame;
}

/** Parse the body of a frame (without its leading u32 total). Parts are copies. */
export function parseFrameBody(body: Uint8Array): { control: Record<string, unknown>; value?: PyValue } {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const count = view.getUint32(0, true);
  if (count < 1 || 4 + 4 * count > body.length) throw new Error(`malformed frame from Python: ${count} parts`);
  const parts: Uint8Array[] = [];
  let offset = 4 + 4 * count;
  for (let i = 0; i < count; i++) {
    const length = view.getUint32(4 + 4 * i, true);
    if (offset + length > body.length) throw new Error('malformed frame from Python: a part runs past the end');
    parts.push(body.slice(offset, offset + length));
    offset += length;
  }
  const control: unknown = JSON.parse(decoder.decode(parts[0]));
  if (typeof control !== 'object' || control === null || Array.isArray(control)) throw new Error('malformed frame from Python: control is not an object');
  const result: { control: Record<string, unknown>; value?: PyValue } = { control: control as Record<string, unknown> };
  if (parts.length > 1) result.value = { json: decoder.decode(parts[1]), blobs: parts.slice(2) };
  return result;
}
