import { DataType, Variant, VariantArrayType, type DataValue } from 'node-opcua-client';
import type { WritableType } from './write-types.js';

/** What a read or a data change becomes on a message. */
export interface OpcuaSample {
  nodeId: string;
  value: unknown;
  /** Status code name, e.g. `Good`, `BadNodeIdUnknown`. */
  statusCode: string;
  sourceTimestamp: Date | null;
  serverTimestamp: Date | null;
}

/**
 * Variant values as plain message data: typed arrays become arrays (they do not
 * survive JSON or the debug sidebar), 64-bit integers ([high, low]) become
 * numbers when exact and strings otherwise, structured values their JSON form.
 */
export function plainValue(variant: Variant): unknown {
  const value: unknown = variant.value;
  const scalar = variant.arrayType === VariantArrayType.Scalar;
  const map = variant.dataType === DataType.Int64 || variant.dataType === DataType.UInt64 ? int64ToPlain : toPlainObject;
  if (scalar) return map(value);
  if (ArrayBuffer.isView(value) && !Buffer.isBuffer(value)) return Array.from(value as unknown as ArrayLike<number>);
  return Array.isArray(value) ? value.map(map) : map(value);
}

function int64ToPlain(value: unknown): unknown {
  if (!Array.isArray(value) || value.length !== 2) return value;
  const big = (BigInt(value[0] as number) << 32n) + BigInt(value[1] as number);
  return big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(big) : big.toString();
}

function toPlainObject(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value) && !(value instanceof Date)) {
    const withJson = value as { toJSON?: () => unknown };
    if (typeof withJson.toJSON === 'function') return withJson.toJSON();
  }
  return value;
}

export function sampleOf(nodeId: string, dataValue: DataValue): OpcuaSample {
  return {
    nodeId,
    value: plainValue(dataValue.value),
    statusCode: dataValue.statusCode.name,
    sourceTimestamp: dataValue.sourceTimestamp ?? null,
    serverTimestamp: dataValue.serverTimestamp ?? null,
  };
}

/**
 * Converts a payload to the OPC UA type, refusing what would silently change
 * meaning ("abc" as a number, 300 as a Byte) instead of writing a wrong value.
 */
export function toVariant(type: WritableType, payload: unknown): Variant {
  const dataType = DataType[type];
  if (Array.isArray(payload)) {
    return new Variant({ dataType, arrayType: VariantArrayType.Array, value: payload.map((p) => coerceScalar(type, p)) });
  }
  return new Variant({ dataType, arrayType: VariantArrayType.Scalar, value: coerceScalar(type, payload) });
}

const INTEGER_RANGES: Partial<Record<WritableType, [number, number]>> = {
  SByte: [-128, 127], Byte: [0, 255], Int16: [-32768, 32767], UInt16: [0, 65535],
  Int32: [-2147483648, 2147483647], UInt32: [0, 4294967295],
};

function coerceScalar(type: WritableType, value: unknown): unknown {
  switch (type) {
    case 'Boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 1 || value === '1') return true;
      if (value === 'false' || value === 0 || value === '0') return false;
      throw new TypeError(`cannot write ${JSON.stringify(value)} as Boolean (use true/false)`);
    case 'String':
      return typeof value === 'string' ? value : JSON.stringify(value);
    case 'DateTime': {
      const date = value instanceof Date ? value : new Date(value as string | number);
      if (Number.isNaN(date.getTime())) throw new TypeError(`cannot write ${JSON.stringify(value)} as DateTime (use an ISO date or epoch ms)`);
      return date;
    }
    case 'ByteString':
      if (Buffer.isBuffer(value)) return value;
      if (typeof value === 'string') return Buffer.from(value);
      throw new TypeError('cannot write a ByteString from this payload (use a Buffer or a string)');
    case 'Int64':
    case 'UInt64':
      return coerceInt64(type, value);
    default:
      return coerceNumber(type, value);
  }
}

function coerceNumber(type: WritableType, value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (Number.isNaN(n)) throw new TypeError(`cannot write ${JSON.stringify(value)} as ${type} (not a number)`);
  const range = INTEGER_RANGES[type];
  if (range && (!Number.isInteger(n) || n < range[0] || n > range[1])) {
    throw new TypeError(`cannot write ${n} as ${type} (an integer from ${range[0]} to ${range[1]})`);
  }
  return n;
}

function coerceInt64(type: WritableType, value: unknown): [number, number] {
  let big: bigint;
  try {
    big = BigInt(typeof value === 'number' || typeof value === 'string' || typeof value === 'bigint' ? value : NaN);
  } catch {
    throw new TypeError(`cannot write ${JSON.stringify(value)} as ${type} (not an integer)`);
  }
  if (type === 'UInt64' && big < 0n) throw new TypeError(`cannot write ${big} as UInt64 (negative)`);
  const unsigned = BigInt.asUintN(64, big);
  return [Number(unsigned >> 32n), Number(unsigned & 0xffffffffn)];
}
