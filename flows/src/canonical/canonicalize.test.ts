import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalize, CanonicalizationError } from './canonicalize.js';
import { jsonEqual, jsonEqualExcept } from './json-equal.js';

/** A double from its IEEE 754 bit pattern, as RFC 8785 Appendix B lists them. */
function fromBits(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

describe('canonicalize: RFC 8785 examples', () => {
  test('section 3.2.2 sample: numbers, string escaping, literals, member order', () => {
    // Input text as published (cyberphone/json-canonicalization testdata/input/values.json).
    const input = JSON.parse(
      '{\n  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],\n' +
        '  "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",\n  "literals": [null, true, false]\n}',
    ) as unknown;
    assert.equal(
      canonicalize(input),
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  test('section 3.2.3 sorting: keys ordered by UTF-16 code units, not code points or locale', () => {
    const input = JSON.parse(
      '{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One",' +
        '"\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control","\\u00f6":"Latin Small Letter O With Diaeresis"}',
    ) as unknown;
    assert.equal(
      canonicalize(input),
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  test('reference test data: structures, arrays, weird keys, French, unnormalized Unicode', () => {
    const cases: Array<[string, string]> = [
      [
        '{"1": {"f": {"f": "hi","F": 5} ,"\\n": 56.0},"10": { },"": "empty","a": { },"111": [ { } ],"A": { }}',
        '{"":"empty","1":{"\\n":56,"f":{"F":5,"f":"hi"}},"10":{},"111":[{}],"A":{},"a":{}}',
      ],
      ['[56,{"d": true,"10": null,"1": [ ]}]', '[56,{"1":[],"10":null,"d":true}]'],
      [
        '{"\\u20ac":"Euro Sign","1":"One","\\u0080":"Control\\u007f","\\ud83d\\ude02":"Smiley",' +
          '"\\u00f6":"Latin Small Letter O With Diaeresis","\\ufb33":"Hebrew Letter Dalet With Dagesh","</script>":"Browser Challenge"}',
        '{"1":"One","</script>":"Browser Challenge","\u0080":"Control\u007f","\u00f6":"Latin Small Letter O With Diaeresis",' +
          '"\u20ac":"Euro Sign","\ud83d\ude02":"Smiley","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
      ],
      [
        '{"peach":"This sorting order","péché":"is wrong according to French","pêche":"but canonicalization MUST","sin":"ingnore locale"}',
        '{"peach":"This sorting order","péché":"is wrong according to French","pêche":"but canonicalization MUST","sin":"ingnore locale"}',
      ],
      ['{"Unnormalized Unicode":"\\u1e0d\\u0307"}', '{"Unnormalized Unicode":"\u1e0d\u0307"}'],
    ];
    for (const [input, expected] of cases) assert.equal(canonicalize(JSON.parse(input)), expected, input);
  });

  test('Appendix B number serialization samples', () => {
    const samples: Array<[string, string]> = [
      ['0000000000000000', '0'],
      ['8000000000000000', '0'],
      ['0000000000000001', '5e-324'],
      ['8000000000000001', '-5e-324'],
      ['7fefffffffffffff', '1.7976931348623157e+308'],
      ['ffefffffffffffff', '-1.7976931348623157e+308'],
      ['4340000000000000', '9007199254740992'],
      ['c340000000000000', '-9007199254740992'],
      ['4430000000000000', '295147905179352830000'],
      ['44b52d02c7e14af5', '9.999999999999997e+22'],
      ['44b52d02c7e14af6', '1e+23'],
      ['44b52d02c7e14af7', '1.0000000000000001e+23'],
      ['444b1ae4d6e2ef4e', '999999999999999700000'],
      ['444b1ae4d6e2ef4f', '999999999999999900000'],
      ['444b1ae4d6e2ef50', '1e+21'],
      ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
      ['3eb0c6f7a0b5ed8d', '0.000001'],
      ['41b3de4355555553', '333333333.3333332'],
      ['41b3de4355555554', '333333333.33333325'],
      ['41b3de4355555555', '333333333.3333333'],
      ['41b3de4355555556', '333333333.3333334'],
      ['41b3de4355555557', '333333333.33333343'],
      ['becbf647612f3696', '-0.0000033333333333333333'],
      ['43143ff3c1cb0959', '1424953923781206.2'],
    ];
    for (const [bits, expected] of samples) assert.equal(canonicalize(fromBits(bits)), expected, bits);
    assert.equal(canonicalize([1e30, 4.5, 0.002, 1e-27, -0]), '[1e+30,4.5,0.002,1e-27,0]');
  });

  test('Appendix B NaN and Infinity are refused', () => {
    for (const bits of ['7fffffffffffffff', '7ff0000000000000', 'fff0000000000000']) {
      assert.throws(() => canonicalize({ a: [fromBits(bits)] }), (error: unknown) => {
        assert.ok(error instanceof CanonicalizationError);
        assert.equal(error.path, '$.a[0]');
        assert.match(error.message, /not a JSON number/);
        return true;
      });
    }
  });
});

describe('canonicalize: values JSON cannot hold', () => {
  test('each is refused with the path where it sits', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['me'] = cyclic;
    const cases: Array<[unknown, string]> = [
      [undefined, '$'],
      [{ a: () => 1 }, '$.a'],
      [{ 'odd key': [Symbol('s')] }, '$["odd key"][0]'],
      [[1n], '$[0]'],
      [[undefined], '$[0]'],
      [{ when: new Date(0) }, '$.when'],
      [{ m: new Map() }, '$.m'],
      [cyclic, '$.me'],
      [{ text: 'a\ud800b' }, '$.text'],
      [{ 'lone\udc00': 1 }, '$["lone\\udc00"]'],
    ];
    for (const [value, path] of cases) {
      assert.throws(() => canonicalize(value), (error: unknown) => error instanceof CanonicalizationError && error.path === path, path);
    }
  });

  test('a very deep value is refused with a clear error instead of a stack overflow', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    assert.throws(() => canonicalize(deep), /nested too deeply/);
  });

  test('members set to undefined are left out, as JSON.stringify does; paired surrogates are fine', () => {
    assert.equal(canonicalize({ b: undefined, a: 1 }), '{"a":1}');
    assert.equal(canonicalize({ e: '\ud83d\ude00' }), '{"e":"😀"}');
  });

  test('an own __proto__ member (from JSON.parse) is kept as data', () => {
    assert.equal(canonicalize(JSON.parse('{"b":1,"__proto__":{"x":1}}')), '{"__proto__":{"x":1},"b":1}');
  });
});

describe('canonicalize: properties', () => {
  test('it is valid JSON for the same value, and canonicalizing its parse gives the same text', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalize(value);
        assert.ok(jsonEqual(JSON.parse(text), value));
        assert.equal(canonicalize(JSON.parse(text)), text);
      }),
      { numRuns: 300 },
    );
  });

  test('strings and numbers are written exactly as JSON.stringify writes them; lone surrogates are refused', () => {
    const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));
    const text = fc.oneof(fc.string({ unit: codeUnit }), fc.string({ unit: 'grapheme' }));
    const number = fc.double({ noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(fc.array(fc.oneof(text, number, fc.boolean(), fc.constant(null))), (values) => {
        const wellFormed = values.every((value) => typeof value !== 'string' || !/[\uD800-\uDFFF]/u.test(value));
        if (wellFormed) assert.equal(canonicalize(values), JSON.stringify(values));
        else assert.throws(() => canonicalize(values), CanonicalizationError);
      }),
      { numRuns: 500 },
    );
  });

  test('member order does not matter', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })), (record) => {
        const reversed = Object.fromEntries(Object.entries(record).reverse());
        assert.equal(canonicalize(reversed), canonicalize(record));
      }),
      { numRuns: 200 },
    );
  });

  test('jsonEqual agrees with comparing canonical text', () => {
    const value = fc.jsonValue({ maxDepth: 3 });
    const nearlyEqual = value.chain((a) => fc.tuple(fc.constant(a), fc.oneof(value, fc.constant(structuredClone(a)))));
    fc.assert(
      fc.property(nearlyEqual, ([a, b]) => {
        assert.equal(jsonEqual(a, b), canonicalize(a) === canonicalize(b));
      }),
      { numRuns: 500 },
    );
  });

  test('jsonEqualExcept ignores only the named top-level members', () => {
    assert.equal(jsonEqualExcept({ a: 1, x: 1 }, { a: 1, x: 2 }, new Set(['x'])), true);
    assert.equal(jsonEqualExcept({ a: 1, x: 1 }, { a: 2, x: 1 }, new Set(['x'])), false);
    assert.equal(jsonEqualExcept({ a: { x: 1 } }, { a: { x: 2 } }, new Set(['x'])), false);
    assert.equal(jsonEqual({ a: 1, b: undefined }, { a: 1 }), true);
    assert.equal(jsonEqual({ a: [] }, { a: {} }), false);
    assert.equal(jsonEqual(0, -0), true);
  });
});
