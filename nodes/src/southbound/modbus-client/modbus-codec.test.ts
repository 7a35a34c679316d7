import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRegisters, encodeValues, type DataType, type Format } from './modbus-codec.js';

const format = (dataType: DataType, byteOrder: 'BE' | 'LE' = 'BE', wordOrder: 'BE' | 'LE' = 'BE', scale = 1, offset = 0): Format => ({ dataType, byteOrder, wordOrder, scale, offset });

describe('modbus codec', () => {
  // Known wire images: float32 1.5 is 0x3FC00000; int32 -2 is 0xFFFFFFFE; 0x12345678 for uint32.
  const cases: Array<[string, Format, number, number[]]> = [
    ['int16', format('int16'), -2, [0xfffe]],
    ['uint16 byte-swapped', format('uint16', 'LE'), 0x1234, [0x3412]],
    ['uint32 ABCD', format('uint32'), 0x12345678, [0x1234, 0x5678]],
    ['uint32 CDAB (word swap)', format('uint32', 'BE', 'LE'), 0x12345678, [0x5678, 0x1234]],
    ['uint32 BADC (byte swap)', format('uint32', 'LE', 'BE'), 0x12345678, [0x3412, 0x7856]],
    ['uint32 DCBA', format('uint32', 'LE', 'LE'), 0x12345678, [0x7856, 0x3412]],
    ['int32', format('int32'), -2, [0xffff, 0xfffe]],
    ['float32', format('float32'), 1.5, [0x3fc0, 0x0000]],
    ['float32 word swap', format('float32', 'BE', 'LE'), 1.5, [0x0000, 0x3fc0]],
    ['float64', format('float64'), 1.5, [0x3ff8, 0, 0, 0]],
    ['float64 word swap', format('float64', 'BE', 'LE'), 1.5, [0, 0, 0, 0x3ff8]],
  ];
  for (const [name, f, value, registers] of cases) {
    test(`${name}: encodes to and decodes from the wire image`, () => {
      assert.deepEqual(encodeValues([value], f), registers);
      assert.deepEqual(decodeRegisters(registers, f), [value]);
    });
  }

  test('scaling: engineering = raw × scale + offset, and back (rounded for integers)', () => {
    const f = format('int16', 'BE', 'BE', 0.1, -40);
    assert.deepEqual(decodeRegisters([650], f).map((v) => Math.round(v * 1000) / 1000), [25]);
    assert.deepEqual(encodeValues([25], f), [650]);
  });

  test('several values in a row; a trailing partial value is ignored', () => {
    assert.deepEqual(decodeRegisters([0, 1, 0, 2, 9], format('uint32')), [1, 2]);
  });

  test('out-of-range integers are refused with the allowed range', () => {
    assert.throws(() => encodeValues([70000], format('uint16')), /70000 is out of range for uint16 \(raw 70000, allowed 0\.\.65535\)/);
  });
});
