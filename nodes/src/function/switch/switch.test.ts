import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowMessage, TestFlow } from '@loopedge/runtime';
import { switchNode } from './index.js';
import { outputId, sendAndCollect, startNodeUnderTest, withNode } from '../../shared/node-test-kit.js';

type Rule = Record<string, unknown>;
const MARKER_RULE = { t: 'eq', v: '__marker', vt: 'str' };

/** Does `payload` leave on the output of `rule`? (A marker rule on output 2 shows when the node is done.) */
async function matches(rule: Rule, payload: unknown, extra: Record<string, unknown> = {}): Promise<boolean> {
  return withNode(switchNode, { property: 'payload', rules: [rule, MARKER_RULE], checkall: 'true', ...extra }, async (flow) => {
    const [out] = await sendAndCollect(flow, { payload }, { payload: '__marker' }, 1, 2);
    return out!.length === 1;
  }, { outputs: 2 });
}

const operatorCases: Array<[string, Rule, unknown, boolean]> = [
  ['eq string', { t: 'eq', v: 'Hello' }, 'Hello', true],
  ['eq string, no match', { t: 'eq', v: 'Hello' }, 'Hello!', false],
  ['eq is loose: "3" == 3', { t: 'eq', v: '3', vt: 'str' }, 3, true],
  ['eq number (type guessed from numeric text)', { t: 'eq', v: '3' }, 3, true],
  ['eq number given as a number', { t: 'eq', v: 2 }, 4, false],
  ['neq', { t: 'neq', v: 'Hello' }, 'HEllO', true],
  ['neq, equal', { t: 'neq', v: 10 }, 10, false],
  ['lt', { t: 'lt', v: 3 }, 2, true],
  ['lt, not less', { t: 'lt', v: 3 }, 4, false],
  ['lte', { t: 'lte', v: 3 }, 3, true],
  ['gt', { t: 'gt', v: 3 }, 6, true],
  ['gt, not greater', { t: 'gt', v: 3 }, -1, false],
  ['gt compares strings as strings', { t: 'gt', v: 'b', vt: 'str' }, 'c', true],
  ['gte', { t: 'gte', v: 3 }, 3, true],
  ['btwn', { t: 'btwn', v: '3', v2: '5' }, 4, true],
  ['btwn in "wrong" order', { t: 'btwn', v: '5', v2: '3' }, 4, true],
  ['btwn strings', { t: 'btwn', v: 'c', v2: 'e' }, 'd', true],
  ['btwn, outside', { t: 'btwn', v: 3, v2: 5 }, 12, false],
  ['btwn includes the ends', { t: 'btwn', v: 3, v2: 5, v2t: 'num' }, 5, true],
  ['cont', { t: 'cont', v: 'Hello' }, 'Hello World!', true],
  ['cont, absent', { t: 'cont', v: 'Hello' }, 'Not a greeting', false],
  ['cont on a number', { t: 'cont', v: '23', vt: 'str' }, 1234, true],
  ['regex', { t: 'regex', v: '[abc]+' }, 'abbabac', true],
  ['regex, no match', { t: 'regex', v: '\\d+' }, 'no digit', false],
  ['regex ignoring case', { t: 'regex', v: 'onetwothree', case: true }, 'oneTWOthree', true],
  ['regex with case', { t: 'regex', v: 'onetwothree', case: false }, 'oneTWOthree', false],
  ['true', { t: 'true' }, true, true],
  ['true, given "true"', { t: 'true' }, 'true', false],
  ['false', { t: 'false' }, false, true],
  ['false, given 0', { t: 'false' }, 0, false],
  ['null on null', { t: 'null' }, null, true],
  ['null on undefined', { t: 'null' }, undefined, true],
  ['null on 0', { t: 'null' }, 0, false],
  ['nnull', { t: 'nnull' }, 'x', true],
  ['nnull on null', { t: 'nnull' }, null, false],
  ['empty string', { t: 'empty' }, '', true],
  ['empty array', { t: 'empty' }, [], true],
  ['empty buffer', { t: 'empty' }, Buffer.alloc(0), true],
  ['empty object', { t: 'empty' }, {}, true],
  ['empty: non-empty string', { t: 'empty' }, '1', false],
  ['empty: non-empty array', { t: 'empty' }, [1], false],
  ['empty: non-empty buffer', { t: 'empty' }, Buffer.alloc(1), false],
  ['empty: non-empty object', { t: 'empty' }, { a: 1 }, false],
  ['empty: null', { t: 'empty' }, null, false],
  ['empty: undefined', { t: 'empty' }, undefined, false],
  ['empty: 0', { t: 'empty' }, 0, false],
  ['nempty string', { t: 'nempty' }, '1', true],
  ['nempty: empty object', { t: 'nempty' }, {}, false],
  ['nempty: non-empty buffer', { t: 'nempty' }, Buffer.alloc(1), true],
  ['nempty: null', { t: 'nempty' }, null, false],
  ['nempty: 0', { t: 'nempty' }, 0, false],
  ['istype string', { t: 'istype', v: 'string', vt: 'string' }, 'Hello', true],
  ['istype number', { t: 'istype', v: 'number', vt: 'number' }, 999, true],
  ['istype number 0', { t: 'istype', v: 'number', vt: 'number' }, 0, true],
  ['istype number: NaN is not', { t: 'istype', v: 'number', vt: 'number' }, Number.NaN, false],
  ['istype boolean', { t: 'istype', v: 'boolean', vt: 'boolean' }, false, true],
  ['istype array', { t: 'istype', v: 'array', vt: 'array' }, [1, 'a'], true],
  ['istype object: an array is not', { t: 'istype', v: 'object', vt: 'object' }, [1], false],
  ['istype object: a buffer is not', { t: 'istype', v: 'object', vt: 'object' }, Buffer.from('x'), false],
  ['istype object: null is not', { t: 'istype', v: 'object', vt: 'object' }, null, false],
  ['istype buffer', { t: 'istype', v: 'buffer', vt: 'buffer' }, Buffer.from('Hello'), true],
  ['istype object', { t: 'istype', v: 'object', vt: 'object' }, { a: 1 }, true],
  ['istype json string', { t: 'istype', v: 'json', vt: 'json' }, '{"a":1}', true],
  ['istype json: plain text is not', { t: 'istype', v: 'json', vt: 'json' }, 'Hello', false],
  ['istype json: a number is', { t: 'istype', v: 'json', vt: 'json' }, 5, true],
  ['istype null', { t: 'istype', v: 'null', vt: 'null' }, null, true],
  ['istype undefined', { t: 'istype', v: 'undefined', vt: 'undefined' }, undefined, true],
  ['hask', { t: 'hask', v: 'a' }, { a: 1 }, true],
  ['hask, absent', { t: 'hask', v: 'a' }, { b: 1 }, false],
  ['hask, numeric key given as number', { t: 'hask', v: 1 }, { a: 1 }, false],
  ['hask on null', { t: 'hask', v: 'a' }, null, false],
  ['jsonata_exp true', { t: 'jsonata_exp', v: '$type(payload) = "number" and payload%2 = 1', vt: 'jsonata' }, 9, true],
  ['jsonata_exp false', { t: 'jsonata_exp', v: '$type(payload) = "number" and payload%2 = 1', vt: 'jsonata' }, 8, false],
  ['jsonata_exp truthy non-boolean does not match', { t: 'jsonata_exp', v: 'payload', vt: 'jsonata' }, 1, false],
  ['else alone', { t: 'else' }, 123456, true],
  ['value from msg: missing property reads as undefined', { t: 'eq', v: 'this.does.not.exist', vt: 'msg' }, undefined, true],
  ['value from msg: missing property vs ""', { t: 'eq', v: 'this.does.not.exist', vt: 'msg' }, '', false],
  ['value of JSONata', { t: 'btwn', v: '$sqrt(16)', vt: 'jsonata', v2: '$sqrt(36)', v2t: 'jsonata' }, 5, true],
];

describe('switch: operators', () => {
  for (const [name, rule, payload, expected] of operatorCases) {
    test(name, async () => {
      assert.equal(await matches(rule, payload), expected);
    });
  }
});

async function sendAll(flow: TestFlow, messages: Array<Partial<FlowMessage>>): Promise<void> {
  for (const msg of messages) flow.receive('n', msg);
}

describe('switch: routing', () => {
  test('checkall "true" sends to every matching output; else only when nothing matched', async () => {
    await withNode(switchNode, { property: 'payload', rules: [{ t: 'eq', v: 'Hello' }, { t: 'cont', v: 'ello' }, { t: 'else' }], checkall: 'true' }, async (flow) => {
      await sendAll(flow, [{ payload: 'Hello' }, { payload: 'Bye' }]);
      await flow.waitForMessages('out2', 1);
      assert.deepEqual(flow.messagesAt('out0').map((m) => m.payload), ['Hello']);
      assert.deepEqual(flow.messagesAt('out1').map((m) => m.payload), ['Hello']);
      assert.deepEqual(flow.messagesAt('out2').map((m) => m.payload), ['Bye']);
    }, { outputs: 3 });
  });

  test('checkall "false" stops after the first match', async () => {
    await withNode(switchNode, { property: 'payload', rules: [{ t: 'eq', v: 'Hello' }, { t: 'cont', v: 'ello' }, { t: 'else' }], checkall: 'false' }, async (flow) => {
      await sendAll(flow, [{ payload: 'Hello' }, { payload: 'Jello' }]);
      await flow.waitForMessages('out1', 1);
      assert.deepEqual(flow.messagesAt('out0').map((m) => m.payload), ['Hello']);
      assert.deepEqual(flow.messagesAt('out1').map((m) => m.payload), ['Jello']);
      assert.equal(flow.messagesAt('out2').length, 0);
    }, { outputs: 3 });
  });

  test('an else after an else-rule match: the flag resets for later rules', async () => {
    await withNode(switchNode, { property: 'payload', rules: [{ t: 'eq', v: 'x' }, { t: 'else' }, { t: 'else' }], checkall: 'true' }, async (flow) => {
      flow.receive('n', { payload: 'y' });
      await flow.waitForMessages('out1', 1);
      await flow.settle();
      assert.equal(flow.messagesAt('out2').length, 0);
    }, { outputs: 3 });
  });

  test('previous value (v) compares with the last message', async () => {
    await withNode(switchNode, { property: 'payload', rules: [{ t: 'gt', v: '', vt: 'prev' }, MARKER_RULE], checkall: 'true' }, async (flow) => {
      await sendAll(flow, [{ payload: 1 }, { payload: 0 }, { payload: -2 }, { payload: 2 }, { payload: '__marker' }]);
      await flow.waitForMessages('out1', 1);
      assert.deepEqual(flow.messagesAt('out0').map((m) => m.payload), [1, 2]);
    }, { outputs: 2 });
  });

  test('previous value as the second bound of btwn', async () => {
    await withNode(switchNode, { property: 'payload', rules: [{ t: 'btwn', v: '10', vt: 'num', v2: '', v2t: 'prev' }] }, async (flow) => {
      await sendAll(flow, [0, 20, 30, 20, 30, 25].map((payload) => ({ payload })));
      // 0 (10..null: null compares as 0, so yes), 20 (10..0 no), 30 (10..20 no), 20 (10..30 yes), 30 (10..20 no), 25 (10..30 yes)
      await flow.waitForMessages('out0', 3);
      assert.deepEqual(flow.messagesAt('out0').map((m) => m.payload), [0, 20, 25]);
    });
  });

  test('property and value from flow and global context (store prefix accepted)', async () => {
    const flow = await startNodeUnderTest(switchNode, { property: 'foo', propertyType: 'flow', rules: [{ t: 'eq', v: 'bar', vt: 'flow' }, { t: 'eq', v: '#:(memory)::g', vt: 'global' }] }, { outputs: 2 });
    try {
      flow.runtime.context.scope('t1').set('foo', 'flowValue');
      flow.runtime.context.scope('t1').set('bar', 'flowValue');
      flow.runtime.context.global.set('g', 'flowValue');
      flow.receive('n', { payload: 'value' });
      await flow.waitForMessages('out1', 1);
      assert.equal(flow.messagesAt('out0')[0]!.payload, 'value');
    } finally {
      await flow.stop();
    }
  });

  test('nested message references in the property and the value', async () => {
    const config = { property: 'payload[msg.topic]', rules: [{ t: 'eq', v: 'payload[msg.topic2]', vt: 'msg' }] };
    await assertRoute(config, { topic: 'foo', topic2: 'foo2', payload: { foo: 'bar', foo2: 'bar' } }, true);
    await assertRoute(config, { topic: 'foo', topic2: 'foo2', payload: { foo: 'bar', foo2: 'none' } }, false);
  });

  test('JSONata property, env property', async () => {
    await assertRoute({ property: '$abs(payload)', propertyType: 'jsonata', rules: [{ t: 'btwn', v: '$sqrt(16)', vt: 'jsonata', v2: '$sqrt(36)', v2t: 'jsonata' }] }, { payload: -5 }, true);
    await assertRoute({ property: '$abs(payload)', propertyType: 'jsonata', rules: [{ t: 'btwn', v: '$sqrt(16)', vt: 'jsonata', v2: '$sqrt(36)', v2t: 'jsonata' }] }, { payload: -7 }, false);
    await assertRoute({ property: 'VAR', propertyType: 'env', rules: [{ t: 'eq', v: 'VAL' }] }, { payload: 'OK' }, true, { VAR: 'VAL' });
  });

  test('JSONata rules keep message order and see the previous value in order', async () => {
    await withNode(switchNode, { property: 'payload', rules: [{ t: 'jsonata_exp', v: 'payload % 2 = 0', vt: 'jsonata' }, { t: 'neq', v: '', vt: 'prev' }] }, async (flow) => {
      await sendAll(flow, [1, 2, 2, 3, 4].map((payload) => ({ payload })));
      await flow.waitForMessages('out1', 4);
      assert.deepEqual(flow.messagesAt('out0').map((m) => m.payload), [2, 2, 4]);
      assert.deepEqual(flow.messagesAt('out1').map((m) => m.payload), [1, 2, 3, 4]);
    }, { outputs: 2 });
  });

  test('a failing JSONata property warns and sends nothing', async () => {
    await withNode(switchNode, { property: '$invalidExpression(payload)', propertyType: 'jsonata', rules: [{ t: 'else' }] }, async (flow) => {
      flow.receive('n', { payload: 1 });
      await flow.waitUntil(() => flow.warnings.length > 0);
      assert.match(flow.warnings[0]!.message, /Invalid JSONata expression/);
      assert.equal(flow.messagesAt('out0').length, 0);
    });
  });

  test('an invalid regex value is an error for that message', async () => {
    await withNode(switchNode, { property: 'payload', rules: [{ t: 'regex', v: '+++' }] }, async (flow) => {
      flow.receive('n', { payload: 'x' });
      await flow.waitUntil(() => flow.errors.length > 0);
      assert.match(flow.errors[0]!.message, /Invalid regular expression/);
    });
  });

  test('no rules: nothing is sent and nothing fails', async () => {
    await withNode(switchNode, { property: 'payload', rules: [] }, async (flow) => {
      flow.receive('n', { payload: 1 });
      await flow.settle();
      assert.equal(flow.errors.length, 0);
    }, { outputs: 0 });
  });

  test('an unknown operator fails the deploy, naming the rule', async () => {
    await assert.rejects(startNodeUnderTest(switchNode, { rules: [{ t: 'eq', v: 1 }, { t: 'bogus' }] }, { outputs: 2 }), /rule 2: unknown operator "bogus"/);
  });
});

/** Check whether one message leaves on output 1 (true: wait for it; false: let the node settle, then look). */
async function assertRoute(config: Record<string, unknown>, msg: Partial<FlowMessage>, expected: boolean, env?: Record<string, string>): Promise<void> {
  await withNode(
    switchNode,
    config,
    async (flow) => {
      flow.receive('n', msg);
      if (expected) await flow.waitForMessages('out0', 1);
      else await flow.settle();
      assert.equal(flow.messagesAt('out0').length, expected ? 1 : 0);
    },
    env ? { env } : {},
  );
}

describe('switch: message sequences', () => {
  /** Send payloads as one sequence (parts id 222) and return what left each port. */
  async function sequence(config: Record<string, unknown>, payloads: number[], outputs: number, expectedTotal: number, settings?: Record<string, unknown>) {
    return withNode(
      switchNode,
      { property: 'payload', checkall: 'true', ...config },
      async (flow) => {
        payloads.forEach((payload, index) => flow.receive('n', { payload, xindex: index, parts: { index, count: payloads.length, id: '222' } }));
        await flow.waitUntil(() => Array.from({ length: outputs }, (_, i) => flow.messagesAt(outputId(i)).length).reduce((a, b) => a + b, 0) >= expectedTotal);
        return Array.from({ length: outputs }, (_, i) => flow.messagesAt(outputId(i)));
      },
      { outputs, ...(settings ? { settings } : {}) },
    );
  }

  const parts = (m: FlowMessage) => m.parts as { id: string; index: number; count: number };

  for (const repair of [false, true]) {
    test(`head / tail / index ${repair ? 'with' : 'without'} repair`, async () => {
      const [head] = await sequence({ rules: [{ t: 'head', v: 3 }], checkall: 'false', repair }, [0, 1, 2, 3, 4], 1, 3);
      const [tail] = await sequence({ rules: [{ t: 'tail', v: 3 }], repair }, [0, 1, 2, 3, 4], 1, 3);
      const [slice] = await sequence({ rules: [{ t: 'index', v: 1, v2: 3 }], repair }, [0, 1, 2, 3, 4], 1, 3);
      assert.deepEqual(head!.map((m) => m.payload), [0, 1, 2]);
      assert.deepEqual(tail!.map((m) => m.payload), [2, 3, 4]);
      assert.deepEqual(slice!.map((m) => m.payload), [1, 2, 3]);
      for (const out of [head!, tail!, slice!]) {
        if (repair) {
          assert.deepEqual(out.map((m) => [parts(m).index, parts(m).count]), [[0, 3], [1, 3], [2, 3]]);
          assert.notEqual(parts(out[0]!).id, '222');
          assert.equal(new Set(out.map((m) => parts(m).id)).size, 1);
        } else {
          assert.deepEqual(out.map((m) => parts(m).index), out.map((m) => m.xindex));
          assert.ok(out.every((m) => parts(m).count === 5 && parts(m).id === '222'));
        }
      }
    });
  }

  test('head count from global context', async () => {
    const flow = await startNodeUnderTest(switchNode, { property: 'payload', rules: [{ t: 'head', v: 'count', vt: 'global' }], checkall: 'false', repair: true });
    try {
      flow.runtime.context.global.set('count', 3);
      [0, 1, 2, 3, 4].forEach((payload, index) => flow.receive('n', { payload, parts: { index, count: 5, id: 'x' } }));
      const out = await flow.waitForMessages('out0', 3);
      assert.deepEqual(out.map((m) => m.payload), [0, 1, 2]);
    } finally {
      await flow.stop();
    }
  });

  test('$I and $N in JSONata rules', async () => {
    const [odd] = await sequence({ rules: [{ t: 'jsonata_exp', v: '$I % 2 = 1', vt: 'jsonata' }], repair: true }, [0, 1, 2, 3, 4], 1, 2);
    const [last] = await sequence({ rules: [{ t: 'jsonata_exp', v: 'payload >= $N-2', vt: 'jsonata' }], repair: true }, [0, 1, 2, 3, 4], 1, 2);
    assert.deepEqual(odd!.map((m) => m.payload), [1, 3]);
    assert.deepEqual(last!.map((m) => m.payload), [3, 4]);
  });

  test('repair gives every port its own sequence (overlapping rules)', async () => {
    const outs = await sequence({ rules: [{ t: 'gte', v: 0 }, { t: 'lte', v: 0 }, { t: 'else' }], repair: true }, [1, -2, 2, 0, -1], 3, 6);
    assert.deepEqual(outs.map((out) => out.map((m) => m.payload)), [[1, 2, 0], [-2, 0, -1], []]);
    for (const out of outs.slice(0, 2)) {
      assert.deepEqual(out.map((m) => [parts(m).index, parts(m).count]), [[0, 3], [1, 3], [2, 3]]);
    }
    assert.notEqual(parts(outs[0]![0]!).id, parts(outs[1]![0]!).id);
  });

  test('without repair the original parts go out unchanged', async () => {
    const outs = await sequence({ rules: [{ t: 'gt', v: 0 }, { t: 'lt', v: 0 }, { t: 'else' }], repair: false }, [1, -2, 2, 0, -1], 3, 5);
    assert.deepEqual(outs.map((out) => out.map((m) => m.payload)), [[1, 2], [-2, -1], [0]]);
    assert.ok(outs.flat().every((m) => parts(m).id === '222' && parts(m).count === 5));
  });

  test('members arriving out of order are evaluated once the sequence is complete', async () => {
    const flow = await startNodeUnderTest(switchNode, { property: 'payload', rules: [{ t: 'tail', v: 2 }] });
    try {
      for (const [payload, index] of [[3, 2], [2, 1], [4, 3], [1, 0]] as const) flow.receive('n', { payload, parts: { index, count: 4, id: 's' } });
      const out = await flow.waitForMessages('out0', 2);
      assert.deepEqual(out.map((m) => m.payload), [3, 4]);
    } finally {
      await flow.stop();
    }
  });

  test('too many pending messages (nodeMessageBufferMaxLength) is an error', async () => {
    const flow = await startNodeUnderTest(switchNode, { property: 'payload', rules: [{ t: 'tail', v: 2 }] }, { settings: { nodeMessageBufferMaxLength: 2 } });
    try {
      for (const [payload, index] of [[3, 2], [2, 1], [4, 3], [1, 0]] as const) flow.receive('n', { payload, parts: { index, count: 4, id: 's' } });
      await flow.waitUntil(() => flow.errors.length > 0);
      assert.match(flow.errors[0]!.message, /too many pending messages in switch node/);
    } finally {
      await flow.stop();
    }
  });
});
