import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowMessage } from '@loopedge/runtime';
import { templateNode } from './index.js';
import { startNodeUnderTest, withNode } from '../../shared/node-test-kit.js';

async function render(config: Record<string, unknown>, msg: Record<string, unknown>, env?: Record<string, string>): Promise<FlowMessage> {
  return withNode(
    templateNode,
    config,
    async (flow) => {
      flow.receive('n', msg);
      const [out] = await flow.waitForMessages('out0', 1);
      return out!;
    },
    env ? { env } : {},
  );
}

const cases: Array<[string, Record<string, unknown>, Record<string, unknown>, unknown]> = [
  ['fills in a message property (defaults)', {}, { payload: 'foo' }, 'This is the payload: foo !'],
  ['HTML-escapes {{ }}', { template: '{{payload}}' }, { payload: '<b>&"' }, '&lt;b&gt;&amp;&quot;'],
  ['leaves {{{ }}} raw', { template: '{{{payload}}}' }, { payload: '<b>' }, '<b>'],
  ['reads nested properties', { template: '{{payload.a.b}}-{{topic}}' }, { payload: { a: { b: 1 } }, topic: 't' }, '1-t'],
  ['renders a missing name as nothing', { template: '[{{nothing.here}}]' }, { payload: 1 }, '[]'],
  ['sections iterate arrays', { template: '{{#payload}}<{{name}}>{{/payload}}' }, { payload: [{ name: 'a' }, { name: 'b' }] }, '<a><b>'],
  ['inverted sections', { template: '{{^payload}}empty{{/payload}}' }, { payload: [] }, 'empty'],
  ['plain syntax leaves braces alone', { syntax: 'plain', template: 'Hi {{payload}}' }, { payload: 'x' }, 'Hi {{payload}}'],
  ['output json parses the result', { template: '{"a":{{payload}}}', output: 'json' }, { payload: 5 }, { a: 5 }],
  ['output yaml parses the result', { template: 'a: {{payload}}\nlist:\n  - x\n  - y', output: 'yaml' }, { payload: 5 }, { a: 5, list: ['x', 'y'] }],
  ['msg.template is used when the node has none', { template: '' }, { payload: 'p', template: 'T {{payload}}' }, 'T p'],
  ['the node template wins over msg.template', { template: 'N {{payload}}' }, { payload: 'p', template: 'T {{payload}}' }, 'N p'],
  ['a message property called flow wins over flow context', { template: '{{flow.x}}' }, { flow: { x: 'from msg' } }, 'from msg'],
];

describe('template', () => {
  for (const [name, config, msg, expected] of cases) {
    test(name, async () => {
      const out = await render(config, msg);
      assert.deepEqual(out.payload, expected);
    });
  }

  test('output json escapes newlines, tabs and backslashes in message strings', async () => {
    // Node-RED escapes \\ \n \t \r \f \b (not quotes) so a value fits inside "...".
    const out = await render({ template: '{"s":"{{{payload}}}"}', output: 'json' }, { payload: 'a\nb\tc\\d' });
    assert.deepEqual(out.payload, { s: 'a\nb\tc\\d' });
  });

  test('writes to a nested message property', async () => {
    const out = await render({ field: 'payload.text', template: '{{topic}}' }, { topic: 'hi' });
    assert.deepEqual(out.payload, { text: 'hi' });
  });

  test('reads env, flow and global context, with a store name', async () => {
    const flow = await startNodeUnderTest(templateNode, { template: '{{env.WHO}} {{flow.f}} {{global.g.h}} {{flow[memory].f}}' }, { env: { WHO: 'me' } });
    try {
      flow.runtime.context.scope('t1').set('f', 'F');
      flow.runtime.context.global.set('g', { h: 'H' });
      flow.receive('n', {});
      const [out] = await flow.waitForMessages('out0', 1);
      assert.equal(out!.payload, 'me F H F');
    } finally {
      await flow.stop();
    }
  });

  test('writes the result to flow or global context', async () => {
    for (const fieldType of ['flow', 'global'] as const) {
      const flow = await startNodeUnderTest(templateNode, { field: 'result', fieldType, template: 'v={{payload}}' });
      try {
        flow.receive('n', { payload: 3 });
        const [out] = await flow.waitForMessages('out0', 1);
        const scope = fieldType === 'flow' ? flow.runtime.context.scope('t1') : flow.runtime.context.global;
        assert.equal(scope.get('result'), 'v=3');
        assert.equal(out!.payload, 3);
      } finally {
        await flow.stop();
      }
    }
  });

  test('invalid JSON output is an error for that message', async () => {
    await withNode(templateNode, { template: '{not json', output: 'json' }, async (flow) => {
      flow.receive('n', { payload: 1 });
      await flow.waitUntil(() => flow.errors.length > 0);
      assert.equal(flow.errors[0]!.nodeId, 'n');
      assert.equal(flow.messagesAt('out0').length, 0);
    });
  });

  test('a template mustache cannot parse fails the deploy with the reason', async () => {
    await assert.rejects(startNodeUnderTest(templateNode, { template: '{{#payload}} no end' }), /Node n: template: Unclosed section/);
  });

  test('a bad msg.template is an error for that message', async () => {
    await withNode(templateNode, { template: '' }, async (flow) => {
      flow.receive('n', { payload: 1, template: '{{#payload}} no end' });
      await flow.waitUntil(() => flow.errors.length > 0);
      assert.match(flow.errors[0]!.message, /Unclosed section/);
    });
  });
});
