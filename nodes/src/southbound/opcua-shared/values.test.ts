import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DataType, Variant, VariantArrayType } from 'node-opcua-client';
import { plainValue, toVariant } from './values.js';

describe('OPC UA values', () => {
  test('typed arrays and 64-bit integers become plain message data', () => {
    assert.deepEqual(plainValue(new Variant({ dataType: DataType.Double, arrayType: VariantArrayType.Array, value: [1.5, 2] })), [1.5, 2]);
    assert.equal(plainValue(new Variant({ dataType: DataType.Int64, arrayType: VariantArrayType.Scalar, value: [0, 42] })), 42);
    assert.equal(plainValue(new Variant({ dataType: DataType.UInt64, arrayType: VariantArrayType.Scalar, value: [0xffffffff, 0xffffffff] })), '18446744073709551615');
    assert.deepEqual(plainValue(new Variant({ dataType: DataType.Int64, arrayType: VariantArrayType.Array, value: [[0, 1], [0, 2]] })), [1, 2]);
    assert.equal(plainValue(new Variant({ dataType: DataType.String, value: 'x' })), 'x');
  });

  test('payloads are converted to the data type', () => {
    assert.equal(toVariant('Double', '42.5').value, 42.5);
    assert.equal(toVariant('Boolean', 'true').value, true);
    assert.equal(toVariant('String', { a: 1 }).value, '{"a":1}');
    assert.deepEqual(toVariant('Int64', '-1').value, [0xffffffff, 0xffffffff]);
    assert.deepEqual(toVariant('Int16', [1, 2]).value, Int16Array.from([1, 2]));
    assert.equal((toVariant('DateTime', '2026-01-02T03:04:05Z').value as Date).toISOString(), '2026-01-02T03:04:05.000Z');
  });

  test('payloads that would change meaning are refused', () => {
    assert.throws(() => toVariant('Double', 'abc'), /cannot write "abc" as Double \(not a number\)/);
    assert.throws(() => toVariant('Byte', 300), /cannot write 300 as Byte \(an integer from 0 to 255\)/);
    assert.throws(() => toVariant('Int32', 1.5), /as Int32/);
    assert.throws(() => toVariant('Boolean', 'yes'), /as Boolean/);
    assert.throws(() => toVariant('UInt64', -1), /UInt64 \(negative\)/);
    assert.throws(() => toVariant('Double', ''), /not a number/);
  });
});
