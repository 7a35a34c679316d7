import { Type, type Static } from '@sinclair/typebox';
import { NumberLike } from '@loopedge/runtime';

/**
 * Register values ↔ numbers. Modbus registers are 16-bit words; wider types
 * span 2 or 4 of them, and devices disagree on both the byte order inside a
 * word and the order of the words, so both are settings.
 */

export const DATA_TYPES = ['int16', 'uint16', 'int32', 'uint32', 'float32', 'float64'] as const;
export type DataType = (typeof DATA_TYPES)[number];

export const AREAS = ['holding', 'input', 'coil', 'discrete'] as const;
export type Area = (typeof AREAS)[number];

/** The properties every register node shares: type, orders and scaling. */
export const RegisterFormat = {
  dataType: Type.Union(DATA_TYPES.map((t) => Type.Literal(t)), { default: 'uint16', description: 'How registers are read as numbers' }),
  byteOrder: Type.Union([Type.Literal('BE'), Type.Literal('LE')], { default: 'BE', description: 'Byte order inside each register (BE = high byte first, the Modbus standard)' }),
  wordOrder: Type.Union([Type.Literal('BE'), Type.Literal('LE')], { default: 'BE', description: 'Register order of 32/64-bit values (BE = high word first)' }),
  scale: NumberLike(1, 'Engineering value = raw × scale + offset'),
  offset: NumberLike(0, 'Engineering value = raw × scale + offset'),
};

export interface Format {
  dataType: DataType;
  byteOrder: 'BE' | 'LE';
  wordOrder: 'BE' | 'LE';
  scale: number;
  offset: number;
}

const FormatSchema = Type.Object(RegisterFormat);
/** Checks scale/offset (they may be Node-RED's strings) and gives numbers. */
export function toFormat(config: Static<typeof FormatSchema>, where: string): Format {
  const scale = config.scale === '' ? 1 : Number(config.scale);
  const offset = config.offset === '' ? 0 : Number(config.offset);
  if (!Number.isFinite(scale) || scale === 0) throw new Error(`${where}: "scale" must be a non-zero number, got "${config.scale}"`);
  if (!Number.isFinite(offset)) throw new Error(`${where}: "offset" must be a number, got "${config.offset}"`);
  return { dataType: config.dataType, byteOrder: config.byteOrder, wordOrder: config.wordOrder, scale, offset };
}

export function registersPerValue(dataType: DataType): number {
  return dataType === 'float64' ? 4 : dataType === 'int16' || dataType === 'uint16' ? 1 : 2;
}

/** Registers as they go on the wire for one value's big-endian bytes. */
function orderWords(words: number[], format: Format): number[] {
  const ordered = format.wordOrder === 'LE' ? [...words].reverse() : words;
  return format.byteOrder === 'LE' ? ordered.map((w) => ((w & 0xff) << 8) | (w >> 8)) : ordered;
}

/** Decode `registers` into values (raw × scale + offset). */
export function decodeRegisters(registers: readonly number[], format: Format): number[] {
  const size = registersPerValue(format.dataType);
  const values: number[] = [];
  for (let i = 0; i + size <= registers.length; i += size) {
    // Undoing the orders is the same operation as applying them (reverse, swap).
    const words = orderWords(registers.slice(i, i + size), format);
    const bytes = Buffer.alloc(size * 2);
    words.forEach((w, j) => bytes.writeUInt16BE(w & 0xffff, j * 2));
    values.push(readRaw(bytes, format.dataType) * format.scale + format.offset);
  }
  return values;
}

function readRaw(bytes: Buffer, dataType: DataType): number {
  switch (dataType) {
    case 'int16': return bytes.readInt16BE(0);
    case 'uint16': return bytes.readUInt16BE(0);
    case 'int32': return bytes.readInt32BE(0);
    case 'uint32': return bytes.readUInt32BE(0);
    case 'float32': return bytes.readFloatBE(0);
    case 'float64': return bytes.readDoubleBE(0);
  }
}

const RANGES: Partial<Record<DataType, [number, number]>> = {
  int16: [-0x8000, 0x7fff], uint16: [0, 0xffff], int32: [-0x80000000, 0x7fffffff], uint32: [0, 0xffffffff],
};

/** Encode engineering values into registers ((value − offset) / scale, rounded for integer types). */
export function encodeValues(values: readonly number[], format: Format): number[] {
  const size = registersPerValue(format.dataType);
  const registers: number[] = [];
  for (const value of values) {
    let raw = (value - format.offset) / format.scale;
    const range = RANGES[format.dataType];
    if (range) {
      raw = Math.round(raw);
      if (raw < range[0] || raw > range[1]) throw new Error(`${value} is out of range for ${format.dataType} (raw ${raw}, allowed ${range[0]}..${range[1]})`);
    }
    const bytes = Buffer.alloc(size * 2);
    writeRaw(bytes, format.dataType, raw);
    const words = Array.from({ length: size }, (_, j) => bytes.readUInt16BE(j * 2));
    registers.push(...orderWords(words, format));
  }
  return registers;
}

function writeRaw(bytes: Buffer, dataType: DataType, raw: number): void {
  switch (dataType) {
    case 'int16': bytes.writeInt16BE(raw, 0); break;
    case 'uint16': bytes.writeUInt16BE(raw, 0); break;
    case 'int32': bytes.writeInt32BE(raw, 0); break;
    case 'uint32': bytes.writeUInt32BE(raw, 0); break;
    case 'float32': bytes.writeFloatBE(raw, 0); break;
    case 'float64': bytes.writeDoubleBE(raw, 0); break;
  }
}
