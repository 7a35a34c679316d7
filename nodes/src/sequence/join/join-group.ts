import { cloneMessage, type DoneFunction, type FlowMessage, type SendFunction } from '@loopedge/runtime';
import { compileMessagePath, setPath } from '../../shared/property-expression.js';

/** One sequence being joined (keyed by msg.parts.id, or "_" in manual mode). */
export interface JoinGroup {
  /** Parts received so far (for objects: distinct keys). */
  currentCount: number;
  /** Array of pieces for string/array/buffer, a key/value object for object/merged. */
  payload: unknown[] | Record<string, unknown>;
  targetCount: number | undefined;
  /** string, array, buffer, object (also for merged) — or whatever msg.parts.type said. */
  type: string | undefined;
  /** The message the output is built on: the first message, overlaid by every later one. */
  msg: FlowMessage;
  /** The send function of the latest message (Node-RED sends with it). */
  send: SendFunction;
  dones: DoneFunction[];
  joinChar?: unknown;
  arrayLen?: number;
  bufferLen?: number;
  timeout?: NodeJS.Timeout;
  /** Where the joined value goes (msg.parts.property in automatic mode). */
  prop?: string;
}

/** What the node config contributes when a group is sent. */
export interface CompleteOptions {
  /** propertyType "full": whole messages were joined, so the output is a fresh copy. */
  fullMessages: boolean;
}

/** The joined value for array, buffer and string groups; object groups are already built. */
function joinedValue(group: JoinGroup): unknown {
  const pieces = group.payload;
  if (!Array.isArray(pieces)) return pieces;
  if (group.type === 'array' && (group.arrayLen ?? 0) > 1) {
    // Automatic mode after an array split into chunks: flatten the chunks back.
    return pieces.flatMap((piece) => piece as unknown);
  }
  if (group.type === 'buffer') return joinBuffers(group, pieces);
  if (group.type === 'string') {
    const joiner = group.joinChar === undefined ? '' : typeof group.joinChar === 'string' ? group.joinChar : String(group.joinChar);
    return pieces.join(joiner);
  }
  return pieces;
}

function joinBuffers(group: JoinGroup, pieces: unknown[]): Buffer {
  if (group.joinChar === undefined) return Buffer.concat(pieces as Buffer[], group.bufferLen);
  const joiner = toBuffer(group.joinChar);
  const buffers: Buffer[] = [];
  pieces.forEach((piece, i) => {
    if (i > 0) buffers.push(joiner);
    buffers.push(toBuffer(piece));
  });
  return Buffer.concat(buffers);
}

/** Pieces and separators may be Buffers, strings or byte arrays (split's parts.ch for binary splits). */
function toBuffer(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (Array.isArray(value)) return Buffer.from(value as number[]);
  return Buffer.from(String(value));
}

/**
 * Build the joined message and send it, as Node-RED's completeSend: the value
 * goes to the group's property, an enclosing sequence's parts are restored,
 * `complete` is removed, and every held message is done.
 */
export function sendGroup(group: JoinGroup, options: CompleteOptions): void {
  const value = joinedValue(group);
  if (group.type !== 'string' && options.fullMessages) group.msg = cloneMessage(group.msg);
  setPath(group.msg, compileMessagePath(group.prop || 'payload'), value);
  const parts = group.msg.parts as { parts?: unknown } | undefined;
  if (parts && typeof parts === 'object' && Object.hasOwn(parts, 'parts')) group.msg.parts = parts.parts;
  else delete group.msg.parts;
  delete group.msg.complete;
  group.send(cloneMessage(group.msg));
  const dones = group.dones;
  group.dones = [];
  for (const done of dones) done();
}
