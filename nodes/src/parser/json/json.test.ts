import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowMessage } from '@loopedge/runtime';
import { sendAndCollect, withNode } from '../../shared/node-test-kit.js';
import { jsonNode } from './index.js';

/** One message in; what came out (null when nothing did), the errors and warnings. */
async function convert(config: Record<string, unknown>, msg: Partial<FlowMessage>, marker: Partial<FlowMessage> = { payload: '"marker"' }) {
  return withNode(jsonNode, { property: 'payload', action: '', pretty: false, ...config }, async (flow) => {
    const [out] = await sendAndCollect(flow, msg, marker, 0, 1);
    return { out: out![0] ?? null, errors: flow.errors.map((e) => e.message), warnings: flow.warnings.map((w) => w.message) };
  });
}

const schema = { type: 'object', properties: { a: { type: 'number' } }, required: ['a'] };

describe('json', () => {
  const cases: Array<[string, Record<string, unknown>, Partial<FlowMessage>, unknown]> = [
    ['string to object', {}, { payload: '{"a":[1,2]}' }, { a: [1, 2] }],
    ['object to string', {}, { payload: { a: 1 } }, '{"a":1}'],
    ['number and boolean to string', {}, { payload: 5 }, '5'],
    ['a buffer is parsed as JSON text', {}, { payload: Buffer.from('[1]') }, [1]],
    ['pretty printing indents by 4', { pretty: true }, { payload: { a: 1 } }, '{\n    "a": 1\n}'],
    ['always string leaves strings alone', { action: 'str' }, { payload: 'not json' }, 'not json'],
    ['always string converts objects', { action: 'str' }, { payload: [1] }, '[1]'],
    ['always object leaves objects alone', { action: 'obj' }, { payload: { a: 1 } }, { a: 1 }],
    ['always object parses strings', { action: 'obj' }, { payload: 'true' }, true],
  ];
  for (const [name, config, msg, expected] of cases) {
    test(name, async () => {
      const { out, errors } = await convert(config, msg);
      assert.deepEqual(errors, []);
      assert.deepEqual(out?.payload, expected);
    });
  }

  test('another property', async () => {
    const { out } = await convert({ property: 'data.x' }, { data: { x: '{"b":2}' } }, { data: { x: '1' } });
    assert.deepEqual(out?.data, { x: { b: 2 } });
  });

  test('a message without the property passes unchanged', async () => {
    const { out } = await convert({}, { topic: 'only' });
    assert.deepEqual({ ...out, _msgid: undefined }, { _msgid: undefined, topic: 'only' });
  });

  test('invalid JSON is an error (the parser message, as plain text) and nothing is sent', async () => {
    const { out, errors } = await convert({}, { payload: '{bad' });
    assert.equal(out, null);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /^Expected property name/);
  });

  test('msg.schema: a valid value passes and msg.schema is removed', async () => {
    const { out, errors } = await convert({}, { payload: '{"a":1}', schema });
    assert.deepEqual(errors, []);
    assert.deepEqual(out?.payload, { a: 1 });
    assert.equal(Object.hasOwn(out!, 'schema'), false);
  });

  test('msg.schema: an invalid value is an error listing the problems', async () => {
    const { out, errors } = await convert({}, { payload: { a: 'x' }, schema });
    assert.equal(out, null);
    assert.equal(errors[0], 'JSON Schema error: data/a must be number');
  });

  test('msg.schema: a schema that does not compile is an error', async () => {
    const { errors } = await convert({}, { payload: '{}', schema: { type: 'no-such-type' } });
    assert.match(errors[0]!, /failed to compile schema/);
  });

  test('unsupported types are dropped with a warning', async () => {
    const { out, warnings } = await convert({}, { payload: undefined, x: 1 });
    assert.equal(out?.x, 1); // undefined payload: passed on
    const fn = await withNode(jsonNode, {}, async (flow) => {
      const [o] = await sendAndCollect(flow, { payload: Symbol('s') as unknown }, { payload: '1' }, 0, 1);
      return { o, warnings: flow.warnings.map((w) => w.message) };
    });
    assert.deepEqual(fn.o, []);
    assert.deepEqual(fn.warnings, ['Ignored unsupported payload type']);
    assert.deepEqual(warnings, []);
  });
});
