import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowMessage } from '@loopedge/runtime';
import { injectNode, type InjectApi } from './index.js';
import { startNodeUnderTest, withNode } from '../../shared/node-test-kit.js';

/** Trigger the node once (as the editor's button does) and return the message it sent. */
async function injectOnce(config: Record<string, unknown>, msg: Record<string, unknown> = {}, env?: Record<string, string>): Promise<FlowMessage> {
  return withNode(
    injectNode,
    config,
    async (flow) => {
      flow.runtime.context.scope('t1').set('f', 'flowValue');
      flow.runtime.context.global.set('g', { deep: 'globalValue' });
      flow.receive('n', msg);
      const [out] = await flow.waitForMessages('out0', 1);
      return out!;
    },
    env ? { env } : {},
  );
}

const prop = (p: string, v: unknown, vt: string) => ({ p, v, vt });

const valueCases: Array<[string, Record<string, unknown>, unknown]> = [
  ['string', prop('payload', 'hello', 'str'), 'hello'],
  ['number', prop('payload', '12.5', 'num'), 12.5],
  ['boolean', prop('payload', 'true', 'bool'), true],
  ['boolean false', prop('payload', 'false', 'bool'), false],
  ['JSON', prop('payload', '{"a":[1,2]}', 'json'), { a: [1, 2] }],
  ['buffer', prop('payload', '[1,2,3]', 'bin'), Buffer.from([1, 2, 3])],
  ['env variable', prop('payload', 'WHO', 'env'), 'me'],
  ['env in ${} form inside text', prop('payload', 'I am ${WHO}', 'env'), 'I am me'],
  ['flow context', prop('payload', 'f', 'flow'), 'flowValue'],
  ['global context path', prop('payload', 'g.deep', 'global'), 'globalValue'],
  ['global context with a store prefix', prop('payload', '#:(memory)::g.deep', 'global'), 'globalValue'],
  ['JSONata', prop('payload', '1 + 2', 'jsonata'), 3],
  ['JSONata with $env and $globalContext', prop('payload', '$env("WHO") & $globalContext("g.deep")', 'jsonata'), 'meglobalValue'],
];

describe('inject: values', () => {
  for (const [name, property, expected] of valueCases) {
    test(name, async () => {
      const out = await injectOnce({ props: [property] }, {}, { WHO: 'me' });
      assert.deepEqual(out.payload, expected);
    });
  }

  test('timestamps: epoch ms by default, ISO text, a Date, a formatted string', async () => {
    const before = Date.now();
    const out = await injectOnce({ props: [prop('payload', '', 'date'), prop('iso', 'iso', 'date'), prop('obj', 'object', 'date'), prop('year', 'YYYY', 'date')] });
    assert.ok(typeof out.payload === 'number' && out.payload >= before);
    assert.match(out.iso as string, /^\d{4}-\d\d-\d\dT/);
    assert.ok(out.obj instanceof Date);
    assert.equal(out.year, String(new Date().getFullYear()));
  });

  test('several properties, nested paths, in order', async () => {
    const out = await injectOnce({ props: [prop('payload', '1', 'num'), prop('topic', 'T', 'str'), prop('a.b[0]', 'x', 'str'), prop('double', 'payload * 2', 'jsonata')] });
    assert.equal(out.payload, 1);
    assert.equal(out.topic, 'T');
    assert.deepEqual(out.a, { b: ['x'] });
    assert.equal(out.double, 2);
  });

  test('legacy form: payload, payloadType and topic without props', async () => {
    const out = await injectOnce({ payload: '42', payloadType: 'num', topic: 'legacy' });
    assert.equal(out.payload, 42);
    assert.equal(out.topic, 'legacy');
  });

  test('a props entry without v takes payload/payloadType and topic from the node', async () => {
    const out = await injectOnce({ props: [{ p: 'payload' }, { p: 'topic', vt: 'str' }], payload: 'true', payloadType: 'bool', topic: 'from node' });
    assert.equal(out.payload, true);
    assert.equal(out.topic, 'from node');
  });

  test('a message arriving at the node gets the properties and keeps its others', async () => {
    const out = await injectOnce({ props: [prop('payload', 'p', 'str')] }, { keep: 1, payload: 'old' });
    assert.equal(out.payload, 'p');
    assert.equal(out.keep, 1);
  });

  test('__user_inject_props__ replaces the node properties for that message', async () => {
    const out = await injectOnce({ props: [prop('payload', 'p', 'str')] }, { __user_inject_props__: [prop('payload', '7', 'num'), prop('topic', 'custom', 'str')] });
    assert.equal(out.payload, 7);
    assert.equal(out.topic, 'custom');
    assert.equal('__user_inject_props__' in out, false);
  });

  test('a property that fails to evaluate is an error and nothing is sent', async () => {
    await withNode(injectNode, { props: [prop('payload', '$error("boom")', 'jsonata')] }, async (flow) => {
      flow.receive('n', {});
      await flow.waitUntil(() => flow.errors.length > 0);
      assert.match(flow.errors[0]!.message, /boom/);
      assert.equal(flow.messagesAt('out0').length, 0);
    });
  });

  test('api.trigger() (the editor\'s inject button) sends a new message with the properties', async () => {
    await withNode(injectNode, { props: [prop('payload', '7', 'num'), prop('topic', 'button', 'str')] }, async (flow) => {
      const api = flow.runtime.node('n')?.handlers.api as InjectApi | undefined;
      assert.equal(typeof api?.trigger, 'function');
      api!.trigger();
      api!.trigger();
      const out = await flow.waitForMessages('out0', 2);
      assert.deepEqual(out.map((m) => [m.payload, m.topic]), [[7, 'button'], [7, 'button']]);
      assert.notEqual(out[0]!._msgid, out[1]!._msgid);
    });
  });

  test('invalid JSON fails the deploy, naming the property', async () => {
    await assert.rejects(startNodeUnderTest(injectNode, { props: [prop('payload', '{bad', 'json')] }), /property msg.payload \(json\)/);
  });
});

describe('inject: timing', () => {
  test('once, after onceDelay, with a new _msgid', async () => {
    await withNode(injectNode, { props: [prop('payload', 'once', 'str')], once: true, onceDelay: 0.01 }, async (flow) => {
      const [out] = await flow.waitForMessages('out0', 1);
      assert.equal(out!.payload, 'once');
      assert.equal(typeof out!._msgid, 'string');
    });
  });

  test('repeat every interval until the node stops', async () => {
    await withNode(injectNode, { props: [prop('payload', '', 'date')], repeat: '0.02' }, async (flow) => {
      const out = await flow.waitForMessages('out0', 3);
      assert.equal(new Set(out.map((m) => m._msgid)).size, out.length);
    });
  });

  test('once, then repeat', async () => {
    await withNode(injectNode, { props: [prop('payload', 'x', 'str')], once: true, onceDelay: '0.01', repeat: 0.02 }, async (flow) => {
      await flow.waitForMessages('out0', 3);
    });
  });

  test('crontab with seconds fires', async () => {
    await withNode(injectNode, { props: [prop('payload', 'tick', 'str')], crontab: '* * * * * *' }, async (flow) => {
      const [out] = await flow.waitForMessages('out0', 1, 3000);
      assert.equal(out!.payload, 'tick');
    });
  });

  test('a 7-field crontab checks the year', async () => {
    const year = new Date().getFullYear();
    await withNode(injectNode, { props: [prop('payload', 'tick', 'str')], crontab: `* * * * * * ${year}-${year + 1}` }, async (flow) => {
      await flow.waitForMessages('out0', 1, 3000);
    });
  });

  test('an invalid crontab fails the deploy with the reason', async () => {
    await assert.rejects(startNodeUnderTest(injectNode, { crontab: '*/0 * * * *' }), /Invalid crontab "\*\/0 \* \* \* \*"/);
    await assert.rejects(startNodeUnderTest(injectNode, { crontab: '* * * * * * nope' }), /year field/);
    await assert.rejects(startNodeUnderTest(injectNode, { crontab: 'not a crontab', once: true }), /Invalid crontab/);
  });

  test('a repeat over the limit is reported and not scheduled', async () => {
    await withNode(injectNode, { repeat: 2147484 }, async (flow) => {
      await flow.waitUntil(() => flow.errors.length > 0);
      assert.match(flow.errors[0]!.message, /too large/);
    });
  });
});
