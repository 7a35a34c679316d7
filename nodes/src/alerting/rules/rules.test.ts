import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Engine } from 'json-rules-engine';
import { startTestFlow, type FlowMessage } from '@loopedge/runtime';
import type { FlowDocument } from '@loopedge/flows';
import { rulesNode } from './index.js';
import { compileRules } from './rule-compiler.js';
import { sendAndCollect, withNode } from '../../shared/node-test-kit.js';

const hot = { name: 'hot', conditions: { all: [{ fact: 'msg', path: '$.payload.temp', operator: 'greaterThan', value: 80 }] } };
const cold = { name: 'cold', conditions: { all: [{ fact: 'msg', path: '$.payload.temp', operator: 'lessThan', value: 10 }] } };

async function firedPorts(rules: unknown[], msg: Partial<FlowMessage>, extra: Record<string, unknown> = {}): Promise<number[]> {
  // A catch-all rule last, so the marker message always shows the first one was handled.
  const all = [...rules, { name: 'marker', conditions: { all: [{ fact: 'msg', path: '$.marker', operator: 'equal', value: true }] } }];
  return withNode(rulesNode, { rules: all, ...extra }, async (flow) => {
    const out = await sendAndCollect(flow, msg, { marker: true }, all.length - 1, all.length);
    return out.map((msgs, port) => (msgs.length > 0 ? port : -1)).filter((port) => port >= 0);
  }, { outputs: all.length });
}

describe('rules node', () => {
  test('ports mode: each fired rule sends the message on its own port', async () => {
    assert.deepEqual(await firedPorts([hot, cold], { payload: { temp: 95 } }), [0]);
    assert.deepEqual(await firedPorts([hot, cold], { payload: { temp: 5 } }), [1]);
    assert.deepEqual(await firedPorts([hot, cold], { payload: { temp: 50 } }), []);
  });

  test('every operator family, with decorators', async () => {
    const leaf = (operator: string, path: string, value: unknown) => ({ name: operator, conditions: { all: [{ fact: 'msg', path, operator, value }] } });
    const rules = [
      leaf('equal', '$.payload.state', 'RUN'),
      leaf('notEqual', '$.payload.state', 'STOP'),
      leaf('lessThanInclusive', '$.payload.temp', 20),
      leaf('greaterThanInclusive', '$.payload.temp', 20),
      leaf('in', '$.payload.state', ['RUN', 'IDLE']),
      leaf('notIn', '$.payload.state', ['STOP']),
      leaf('contains', '$.payload.tags', 'oven'),
      leaf('doesNotContain', '$.payload.tags', 'press'),
      leaf('someFact:greaterThan', '$.payload.zones', 90),
      leaf('everyFact:lessThan', '$.payload.zones', 100),
      leaf('not:equal', '$.payload.state', 'STOP'),
      leaf('greaterThan', '$.payload.text', 1), // a non-number fails the numeric validator: never fires
    ];
    const fired = await firedPorts(rules, { payload: { state: 'RUN', temp: 20, tags: ['oven', 'line 1'], zones: [80, 95], text: 'abc' } });
    assert.deepEqual(fired, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  test('all / any / not nest', async () => {
    const nested = {
      name: 'nested',
      conditions: {
        any: [
          { all: [{ fact: 'msg', path: '$.payload.temp', operator: 'greaterThan', value: 80 }, { not: { fact: 'msg', path: '$.payload.state', operator: 'equal', value: 'MAINT' } }] },
          { fact: 'msg', path: '$.payload.alarm', operator: 'equal', value: true },
        ],
      },
    };
    assert.deepEqual(await firedPorts([nested], { payload: { temp: 90, state: 'RUN' } }), [0]);
    assert.deepEqual(await firedPorts([nested], { payload: { temp: 90, state: 'MAINT' } }), []);
    assert.deepEqual(await firedPorts([nested], { payload: { temp: 20, state: 'MAINT', alarm: true } }), [0]);
  });

  test('facts from flow and global context, named facts, and fact-to-fact comparison', async () => {
    const doc = [
      { id: 't1', type: 'tab' },
      {
        id: 'r', type: 'rules', z: 't1', outputMode: 'ports', wires: [['a'], ['b']],
        facts: [{ name: 'temp', property: 'payload.temp', propertyType: 'msg' }, { name: 'limit', property: 'limits.oven', propertyType: 'global' }],
        rules: [
          { name: 'over limit', conditions: { all: [{ fact: 'temp', operator: 'greaterThan', value: { fact: 'limit' } }] } },
          { name: 'line mode', conditions: { all: [{ fact: 'flow.mode', operator: 'equal', value: 'auto' }, { fact: 'global.limits', path: '$.oven', operator: 'equal', value: 100 }] } },
        ],
      },
      { id: 'a', type: 'helper', z: 't1' },
      { id: 'b', type: 'helper', z: 't1' },
    ] as FlowDocument;
    const flow = await startTestFlow(doc, { nodeTypes: [rulesNode] });
    try {
      flow.runtime.context.global.set('limits', { oven: 100 });
      flow.runtime.context.scope('t1').set('mode', 'auto');
      flow.receive('r', { payload: { temp: 120 } });
      flow.receive('r', { payload: { temp: 90 } });
      await flow.waitForMessages('b', 2);
      assert.deepEqual(flow.messagesAt('a').map((m) => (m.payload as { temp: number }).temp), [120]);
    } finally {
      await flow.stop();
    }
  });

  test('events mode: one message per fired rule, highest priority first, naming the rule', async () => {
    const rules = [
      { name: 'low', priority: 1, conditions: { all: [{ fact: 'msg', path: '$.payload', operator: 'greaterThan', value: 1 }] }, event: { type: 'warn', params: { level: 1 } } },
      { name: 'high', priority: '5', conditions: { all: [{ fact: 'msg', path: '$.payload', operator: 'greaterThan', value: 2 }] } },
      { name: 'never', conditions: { all: [{ fact: 'msg', path: '$.payload', operator: 'lessThan', value: 0 }] } },
    ];
    await withNode(rulesNode, { rules, outputMode: 'events' }, async (flow) => {
      flow.receive('n', { payload: 3, topic: 'x' });
      const out = await flow.waitForMessages('out0', 2);
      assert.deepEqual(out.map((m) => [m.rule, m.event, m.payload, m.topic]), [
        ['high', { type: 'high' }, 3, 'x'],
        ['low', { type: 'warn', params: { level: 1 } }, 3, 'x'],
      ]);
      assert.notEqual(out[0]!._msgid, undefined);
    });
  });

  test('an invalid rule fails the deploy with the path of the bad part', async () => {
    const bad = (conditions: unknown, extra: Record<string, unknown> = {}) => [hot, cold, { name: 'bad', conditions, ...extra }];
    const cases: Array<[unknown[], RegExp]> = [
      [bad({ all: [{ fact: 'msg', operator: 'equal', value: 1 }, { fact: 'msg', operator: 'greaterThen', value: 1 }] }), /rules\[2\]\.conditions\.all\[1\]\.operator: unknown operator "greaterThen"; use one of equal, notEqual, in,/],
      [bad({ any: [{ not: [{ fact: 'msg', operator: 'equal', value: 1 }] }] }), /rules\[2\]\.conditions\.any\[0\]\.not: must be one condition/],
      [bad({ all: [{ fact: 'temperature', operator: 'equal', value: 1 }] }), /rules\[2\]\.conditions\.all\[0\]\.fact: unknown fact "temperature"; use msg, flow\.<key>, global\.<key>/],
      [bad({ all: [{ fact: 'msg', operator: 'in', value: 3 }] }), /rules\[2\]\.conditions\.all\[0\]\.value: "in" compares with a list/],
      [bad({ fact: 'msg', operator: 'equal', value: 1 }), /rules\[2\]\.conditions: the top level of conditions must be/],
      [bad({ all: [{ fact: 'msg', operator: 'equal' }] }), /rules\[2\]\.conditions\.all\[0\]\.value: missing/],
      [bad({ all: [] }, { priority: 0 }), /rules\[2\]\.priority: must be a number greater than 0/],
      [bad({ all: [{ fact: 'msg', path: 'payload', operator: 'equal', value: 1 }] }), /rules\[2\]\.conditions\.all\[0\]\.path: must be a JSONPath/],
    ];
    for (const [rules, expected] of cases) {
      await assert.rejects(withNode(rulesNode, { rules }, async () => undefined, { outputs: 3 }), (err: Error) => {
        assert.match(err.message, expected);
        assert.match(err.message, /Node n: /);
        return true;
      });
    }
  });

  test('the compiled rules decide as json-rules-engine does (generated rules and messages)', async () => {
    const operators = ['equal', 'notEqual', 'lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive', 'in', 'notIn', 'contains', 'doesNotContain', 'someFact:equal', 'not:lessThan'];
    const scalar = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom('a', 'b', '2'), fc.constant(null), fc.boolean());
    const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }));
    const leaf = fc.record({ fact: fc.constant('msg'), path: fc.constantFrom('$.payload.a', '$.payload.b', '$.payload.list', '$.payload.missing', '$.payload.list[0]', "$['payload']['a']", '$..a'), operator: fc.constantFrom(...operators), value: fc.oneof(value, fc.array(scalar, { maxLength: 3 })) })
      .filter((c) => !(['in', 'notIn'].includes(c.operator) && !Array.isArray(c.value)));
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof({ maxDepth: 3, depthIdentifier: 'cond' }, leaf, fc.record({ all: fc.array(tie('tree'), { maxLength: 3 }) }), fc.record({ any: fc.array(tie('tree'), { maxLength: 3 }) }), fc.record({ not: tie('tree') })),
    }));
    const top = fc.oneof(fc.record({ all: fc.array(tree, { maxLength: 3 }) }), fc.record({ any: fc.array(tree, { maxLength: 3 }) }));
    const payload = fc.record({ a: scalar, b: value, list: fc.array(scalar, { maxLength: 3 }) });
    await fc.assert(
      fc.asyncProperty(fc.array(top, { minLength: 1, maxLength: 4 }), payload, async (conditionsList, body) => {
        const rules = conditionsList.map((conditions, i) => ({ name: `r${i}`, priority: 1 + (i % 2), conditions, event: { type: `r${i}` } }));
        const compiled = compileRules(rules, (name) => (name === 'msg' ? (scope) => scope.msg : undefined), () => 'msg');
        const msg = { payload: body };
        const ours = compiled.filter((rule) => rule.test({ msg, cache: new Map() })).map((rule) => rule.name).sort();
        const engine = new Engine(rules as never, { allowUndefinedFacts: true });
        let theirs: string[];
        try {
          theirs = (await engine.run({ msg })).events.map((e) => e.type).sort();
        } catch {
          return; // the engine throws where an operator throws (e.g. contains on a number); ours does too, as a node error
        }
        assert.deepEqual(ours, theirs);
      }),
      { numRuns: 300 },
    );
  });
});
