import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { findJsonSyntaxError, lineAndColumn, parseJsonText } from './json-text.js';

describe('parseJsonText', () => {
  test('parses valid JSON and ignores a byte order mark', () => {
    assert.deepEqual(parseJsonText('[{"id":"a"}]'), { ok: true, value: [{ id: 'a' }] });
    assert.deepEqual(parseJsonText('\uFEFF{"a":1}'), { ok: true, value: { a: 1 } });
  });

  // Each case: the text, and the line:column where a person must look.
  const broken: Array<[string, string, number, number, RegExp]> = [
    ['trailing comma in an object', '{\n  "a": 1,\n}', 3, 1, /trailing comma/],
    ['trailing comma in an array', '[1,\n2,\n]', 3, 1, /trailing comma/],
    ['misspelled literal (V8 gives no position)', '[{"id":"x"},\n {"id": tru}]', 2, 9, /expected a value/],
    ['missing colon', '{"a" 1}', 1, 6, /expected ':'/],
    ['unterminated array', '[1,2', 1, 5, /end of the file/],
    ['empty file', '', 1, 1, /end of the file/],
    ['single quotes', "{'a':1}", 1, 2, /double-quoted property name/],
    ['raw newline in a string', '["a\nb"]', 1, 4, /control character/],
    ['bad escape', '["\\x41"]', 1, 3, /bad escape/],
    ['leading zero', '[01]', 1, 3, /bad number/],
    ['text after the value', '[1] [2]', 1, 5, /after the end/],
    ['column counted after a byte order mark', '\uFEFF[1,]', 1, 5, /trailing comma/],
  ];
  for (const [name, text, line, column, reason] of broken) {
    test(`locates: ${name}`, () => {
      const result = parseJsonText(text);
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.equal(`${result.problem.line}:${result.problem.column}`, `${line}:${column}`);
      assert.match(result.problem.reason, reason);
    });
  }

  test('the scanner accepts everything JSON.parse accepts', () => {
    const samples = ['0', '-0.5e+10', '"\\u00e9\\n"', '{"a":[true,false,null,{}],"b":""}', ' [ 1 , 2 ] ', '1E5'];
    for (const sample of samples) assert.equal(findJsonSyntaxError(sample), undefined, sample);
  });
});

test('lineAndColumn is 1-based and counts from the last newline', () => {
  assert.deepEqual(lineAndColumn('ab\ncd', 0), { line: 1, column: 1 });
  assert.deepEqual(lineAndColumn('ab\ncd', 4), { line: 2, column: 2 });
});
