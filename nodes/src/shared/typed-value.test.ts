import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { FlowMessage, NodeApi } from '@loopedge/runtime';
import { evaluateTypedValue, parseContextStore, parseNumberLike, prepareTypedValue } from './typed-value.js';
import { formatDate } from './date-format.js';

// Node-RED's own evaluateNodeProperty is the reference for the context-free types.
interface NodeRedUtil {
  evaluateNodeProperty(value: unknown, type: string, node: unknown, msg: unknown): unknown;
}
const require = createRequire(import.meta.url);
const nodeRed = (require('@node-red/util') as { util: NodeRedUtil }).util;

// These types never touch the node; an empty facade is enough.
const noNode = {} as NodeApi;
const msg = { _msgid: 'm', payload: { a: [1, 2] }, topic: 't' } as FlowMessage;

const cases: Array<[unknown, string]> = [
  ['hello', 'str'],
  [5, 'str'],
  ['12.5', 'num'],
  ['', 'num'],
  ['abc', 'num'],
  ['true', 'bool'],
  ['TRUE', 'bool'],
  ['yes', 'bool'],
  ['{"a":[1,{"b":null}]}', 'json'],
  ['"text"', 'json'],
  ['[1,2,255]', 'bin'],
  ['"abc"', 'bin'],
  ['a+b', 're'],
  ['payload.a[1]', 'msg'],
  ['msg.topic', 'msg'],
  ['missing', 'msg'],
  ['raw', 'somethingNew'],
];

describe('typed values: same as Node-RED', () => {
  for (const [value, type] of cases) {
    test(`${type} ${JSON.stringify(value)}`, () => {
      const expected = nodeRed.evaluateNodeProperty(value, type, null, msg);
      assert.deepEqual(evaluateTypedValue(noNode, value, type, msg), expected);
      assert.deepEqual(prepareTypedValue(noNode, value, type).evaluate(msg), expected);
    });
  }

  test('errors where Node-RED errors', () => {
    for (const [value, type] of [['{bad', 'json'], ['5', 'bin'], ['(', 're'], ['a..b', 'msg']] as const) {
      assert.throws(() => nodeRed.evaluateNodeProperty(value, type, null, msg));
      assert.throws(() => evaluateTypedValue(noNode, value, type, msg));
      assert.throws(() => prepareTypedValue(noNode, value, type, 'field x'), /field x/);
    }
  });

  test('a prepared JSON value is a fresh object each time', () => {
    const prepared = prepareTypedValue(noNode, '{"a":1}', 'json');
    assert.notEqual(prepared.evaluate(msg), prepared.evaluate(msg));
    assert.equal(prepared.isAsync, false);
  });

  test('date formats match moment (as Node-RED formats them)', () => {
    const formats = ['YYYY-MM-DD', 'YY/M/D', 'MMMM MMM Do dddd ddd dd d E Q', 'HH:mm H:m hh h A a kk k', 'Z ZZ', '[at] HH [o\'clock]'];
    for (const format of formats) {
      // Retry across a minute boundary: both sides read the clock.
      for (let attempt = 0; attempt < 3; attempt++) {
        const before = new Date();
        const theirs = nodeRed.evaluateNodeProperty(format, 'date', null, msg);
        const ours = formatDate(new Date(), format);
        if (before.getMinutes() !== new Date().getMinutes()) continue;
        assert.equal(ours, theirs, format);
        break;
      }
    }
  });
});

describe('typed value helpers', () => {
  test('parseContextStore', () => {
    assert.deepEqual(parseContextStore('#:(file)::a.b'), { store: 'file', key: 'a.b' });
    assert.deepEqual(parseContextStore('a.b'), { key: 'a.b' });
  });

  test('parseNumberLike accepts what Node-RED exports write', () => {
    assert.equal(parseNumberLike('5', 1), 5);
    assert.equal(parseNumberLike(' 2.5 ', 1), 2.5);
    assert.equal(parseNumberLike('', 7), 7);
    assert.equal(parseNumberLike('abc', 7), 7);
    assert.equal(parseNumberLike(undefined, 7), 7);
    assert.equal(parseNumberLike(0, 7), 0);
  });
});
