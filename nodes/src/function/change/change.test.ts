import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowMessage } from '@loopedge/runtime';
import { changeNode } from './index.js';
import { sendAndCollect, startNodeUnderTest, withNode } from '../../shared/node-test-kit.js';

type Msg = Record<string, unknown>;

/** Run one message through a change node with this config; returns the output (or null when none). */
async function change(config: Record<string, unknown>, input: Msg, options: { env?: Record<string, string> } = {}): Promise<FlowMessage | null> {
  return withNode(
    changeNode,
    config,
    async (flow) => {
      const [out] = await sendAndCollect(flow, input, { payload: 1 }, 0, 1);
      return out!.length > 0 ? out![0]! : null;
    },
    options,
  );
}

/** One message in, one expected out (no marker needed). */
async function changeOnce(config: Record<string, unknown>, input: Msg): Promise<FlowMessage> {
  return withNode(changeNode, config, async (flow) => {
    flow.receive('n', input);
    const [out] = await flow.waitForMessages('out0', 1);
    return out!;
  });
}

function strip(msg: FlowMessage | null): Msg | null {
  if (!msg) return null;
  const { _msgid: _ignored, ...rest } = msg;
  return rest;
}

interface Case {
  name: string;
  config: Record<string, unknown>;
  input: Msg;
  expected: Msg | null;
}

const rules = (...list: Msg[]) => ({ rules: list });

const msgCases: Case[] = [
  // set
  { name: 'set a string (legacy replace form)', config: { action: 'replace', property: 'payload', to: 'changed' }, input: { payload: 'x' }, expected: { payload: 'changed' } },
  { name: 'set a number', config: rules({ t: 'set', p: 'payload', pt: 'msg', to: '12345', tot: 'num' }), input: { payload: 'x' }, expected: { payload: 12345 } },
  { name: 'set a boolean (case-insensitive "true")', config: rules({ t: 'set', p: 'payload', to: 'TRUE', tot: 'bool' }), input: {}, expected: { payload: true } },
  { name: 'set JSON', config: rules({ t: 'set', p: 'payload', to: '{"a":123}', tot: 'json' }), input: {}, expected: { payload: { a: 123 } } },
  { name: 'set a buffer', config: rules({ t: 'set', p: 'payload', to: '[72,105]', tot: 'bin' }), input: {}, expected: { payload: Buffer.from('Hi') } },
  { name: 'set a nested property, creating parents', config: rules({ t: 'set', p: 'foo.bar', to: 'bar' }), input: {}, expected: { foo: { bar: 'bar' } } },
  { name: 'set creates an array for a numeric step', config: rules({ t: 'set', p: 'list[1].x', to: '1', tot: 'num' }), input: {}, expected: { list: [, { x: 1 }] } },
  { name: 'set from another msg property (legacy "msg." to)', config: { action: 'replace', property: 'foo', to: 'msg.fred' }, input: { fred: 'bar' }, expected: { fred: 'bar', foo: 'bar' } },
  { name: 'set from a missing msg property deletes the target', config: rules({ t: 'set', p: 'payload', to: 'foo', tot: 'msg' }), input: { payload: 'Hello' }, expected: {} },
  { name: 'set from a null msg property gives null', config: rules({ t: 'set', p: 'payload', to: 'foo', tot: 'msg' }), input: { payload: 'Hello', foo: null }, expected: { payload: null, foo: null } },
  { name: 'set from a property whose parent is missing skips the rule', config: rules({ t: 'set', p: 'foo.bar', to: 'fred.red', tot: 'msg' }), input: { payload: 1 }, expected: { payload: 1 } },
  { name: '"=" in a to-path is a property name, not an assignment', config: rules({ t: 'set', p: 'payload', to: 'otherProp=10', tot: 'msg' }), input: { payload: 'p' }, expected: {} },
  { name: 'set with a nested msg reference in the value', config: rules({ t: 'set', p: 'payload', to: 'lookup[msg.topic]', tot: 'msg' }), input: { lookup: { a: 1, b: 2 }, topic: 'b' }, expected: { payload: 2, lookup: { a: 1, b: 2 }, topic: 'b' } },
  { name: 'set with a nested msg reference in the target', config: rules({ t: 'set', p: 'lookup[msg.topic]', to: 'payload', tot: 'msg' }), input: { payload: 'new', lookup: { a: 1, b: 2 }, topic: 'b' }, expected: { payload: 'new', lookup: { a: 1, b: 'new' }, topic: 'b' } },
  { name: 'set beneath a string does nothing', config: rules({ t: 'set', p: 'payload.x', to: '1' }), input: { payload: 'text' }, expected: { payload: 'text' } },
  // change
  { name: 'change replaces every occurrence (legacy)', config: { action: 'change', property: 'payload', from: 'Hello', to: 'Goodbye', reg: false }, input: { payload: 'Hello World! Hello!' }, expected: { payload: 'Goodbye World! Goodbye!' } },
  { name: 'change: partial match keeps the string type', config: rules({ t: 'change', p: 'payload', from: '123', fromt: 'str', to: '456', tot: 'num' }), input: { payload: 'Change123Me' }, expected: { payload: 'Change456Me' } },
  { name: 'change: a complete match changes the type', config: rules({ t: 'change', p: 'payload', from: '123', fromt: 'str', to: '456', tot: 'num' }), input: { payload: '123' }, expected: { payload: 456 } },
  { name: 'change: special characters are literal in str mode', config: rules({ t: 'change', p: 'payload', from: 'a.b(c)', to: 'X' }), input: { payload: 'a.b(c) axb(c)' }, expected: { payload: 'X axb(c)' } },
  { name: 'change with a regex (legacy reg)', config: { action: 'change', property: 'payload', from: '\\d+', to: 'NUMBER', reg: true }, input: { payload: 'numbers 12 and 14' }, expected: { payload: 'numbers NUMBER and NUMBER' } },
  { name: 'change with regex groups', config: rules({ t: 'change', p: 'payload', from: '(Hello)', fromt: 're', to: '$1-$1', tot: 'str' }), input: { payload: 'Hello World' }, expected: { payload: 'Hello-Hello World' } },
  { name: 'change with legacy re:true in a rule', config: rules({ t: 'change', p: 'payload', from: '\\(.*\\)', to: '[new]', re: true }), input: { payload: 'a (hi)' }, expected: { payload: 'a [new]' } },
  { name: 'change: "from" taken from a msg property', config: rules({ t: 'change', p: 'payload', from: 'topic', fromt: 'msg', to: '123' }), input: { payload: 'abcABCabc', topic: 'ABC' }, expected: { payload: 'abc123abc', topic: 'ABC' } },
  { name: 'change: number "from" on a string payload (exact)', config: rules({ t: 'change', p: 'payload', from: '123', fromt: 'num', to: '456' }), input: { payload: '123' }, expected: { payload: '456' } },
  { name: 'change: number "from" on a number payload', config: rules({ t: 'change', p: 'payload', from: '123', fromt: 'num', to: 'abc' }), input: { payload: 123 }, expected: { payload: 'abc' } },
  { name: 'change: number "from" on a different number does nothing', config: rules({ t: 'change', p: 'payload', from: '123', fromt: 'num', to: 'abc' }), input: { payload: 124 }, expected: { payload: 124 } },
  { name: 'change: boolean "from" on a string payload', config: rules({ t: 'change', p: 'payload', from: 'true', fromt: 'bool', to: 'xxx' }), input: { payload: 'true' }, expected: { payload: 'xxx' } },
  { name: 'change: boolean "from" on a boolean payload', config: rules({ t: 'change', p: 'payload', from: 'true', fromt: 'bool', to: 'xxx' }), input: { payload: true }, expected: { payload: 'xxx' } },
  { name: 'change: a replace that yields "true" with a bool target gives a boolean', config: rules({ t: 'change', p: 'payload', from: 'yes', to: 'true', tot: 'bool' }), input: { payload: 'yes' }, expected: { payload: true } },
  { name: 'change: a string "from" leaves numbers alone', config: rules({ t: 'change', p: 'payload', from: '1', to: '2' }), input: { payload: 1 }, expected: { payload: 1 } },
  { name: 'change: missing property sends the message unchanged', config: { action: 'change', property: 'foo.bar', from: 'Hello', to: 'Goodbye' }, input: { payload: 'Hello' }, expected: { payload: 'Hello' } },
  // delete
  { name: 'delete a property (legacy)', config: { action: 'delete', property: 'payload' }, input: { payload: 'x', topic: 't' }, expected: { topic: 't' } },
  { name: 'delete a nested property', config: rules({ t: 'delete', p: 'foo.bar' }), input: { foo: { bar: 1, baz: 2 } }, expected: { foo: { baz: 2 } } },
  { name: 'delete an array element splices it', config: rules({ t: 'delete', p: 'payload[1]' }), input: { payload: [1, 2, 3] }, expected: { payload: [1, 3] } },
  { name: 'delete a missing property is harmless', config: rules({ t: 'delete', p: 'foo.bar' }), input: { payload: 'p' }, expected: { payload: 'p' } },
  // move
  { name: 'move a property', config: rules({ t: 'move', p: 'topic', pt: 'msg', to: 'payload', tot: 'msg' }), input: { topic: 'T', payload: { foo: 1 } }, expected: { payload: 'T' } },
  { name: 'move a property to itself', config: rules({ t: 'move', p: 'payload', pt: 'msg', to: 'payload', tot: 'msg' }), input: { payload: 'bar' }, expected: { payload: 'bar' } },
  { name: 'move a property into a sub-property of itself', config: rules({ t: 'move', p: 'payload', to: 'payload.foo', tot: 'msg' }), input: { payload: 'bar' }, expected: { payload: { foo: 'bar' } } },
  { name: 'move a sub-property up to its parent', config: rules({ t: 'move', p: 'payload.foo', to: 'payload', tot: 'msg' }), input: { payload: { foo: 'bar' } }, expected: { payload: 'bar' } },
  // misc
  { name: 'no rules: the message passes unchanged', config: { rules: [], action: '', property: '', from: '', to: '', reg: false }, input: { payload: 'leave' }, expected: { payload: 'leave' } },
  { name: 'an empty legacy node passes messages through', config: {}, input: { payload: 'leave' }, expected: { payload: 'leave' } },
  {
    name: 'several rules apply in order',
    config: rules({ t: 'set', p: 'payload', to: 'a this (hi)' }, { t: 'change', p: 'payload', from: 'this', to: 'that' }, { t: 'change', p: 'payload', from: '\\(.*\\)', to: '[new]', re: true }, { t: 'delete', p: 'gone' }),
    input: { payload: 'x', gone: 1 },
    expected: { payload: 'a that [new]' },
  },
];

describe('change: message rules', () => {
  for (const c of msgCases) {
    test(c.name, async () => {
      assert.deepEqual(strip(await change(c.config, c.input)), c.expected);
    });
  }

  test('dc (deep copy) gives the target its own copy', async () => {
    const source = { a: { b: 2 } };
    const out = await change(rules({ t: 'set', p: 'payload', to: 'source', tot: 'msg', dc: true }), { source });
    const payload = out!.payload as { a: { b: number } };
    assert.deepEqual(payload, { a: { b: 2 } });
    assert.notEqual(payload, out!.source);
    assert.notEqual(payload.a, (out!.source as typeof source).a);
  });

  test('without dc the target shares the object', async () => {
    const out = await change(rules({ t: 'set', p: 'payload', to: 'source', tot: 'msg' }), { source: { a: 1 } });
    assert.equal(out!.payload, out!.source);
  });

  test('each message gets its own JSON object', async () => {
    await withNode(changeNode, rules({ t: 'set', p: 'payload', to: '{"n":1}', tot: 'json' }), async (flow) => {
      flow.receive('n', {});
      flow.receive('n', {});
      const [a, b] = await flow.waitForMessages('out0', 2);
      assert.deepEqual(a!.payload, { n: 1 });
      assert.notEqual(a!.payload, b!.payload);
    });
  });

  test('set the date: a timestamp by default, ISO text or a Date when asked', async () => {
    const before = Date.now();
    const out = await change(rules({ t: 'set', p: 'ts', to: '', tot: 'date' }, { t: 'set', p: 'iso', to: 'iso', tot: 'date' }, { t: 'set', p: 'obj', to: 'object', tot: 'date' }), {});
    assert.equal(typeof out!.ts, 'number');
    assert.ok((out!.ts as number) >= before);
    assert.match(out!.iso as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(out!.obj instanceof Date);
  });

  test('env values (read once at start), also inside a change rule', async () => {
    const env = { NR_TEST_A: 'foo' };
    assert.equal((await change(rules({ t: 'set', p: 'payload', to: 'NR_TEST_A', tot: 'env' }), {}, { env }))!.payload, 'foo');
    assert.equal((await change(rules({ t: 'set', p: 'payload', to: 'x${NR_TEST_A}y', tot: 'env' }), {}, { env }))!.payload, 'xfooy');
    assert.equal((await change(rules({ t: 'set', p: 'payload', to: 'NOPE', tot: 'env' }), {}, { env }))!.payload, '');
    const changed = await change(rules({ t: 'change', p: 'payload', from: 'topic', fromt: 'msg', to: 'NR_TEST_A', tot: 'env' }), { payload: 'abcABCabc', topic: 'ABC' }, { env });
    assert.equal(changed!.payload, 'abcfooabc');
  });
});

describe('change: JSONata', () => {
  test('sets from an expression', async () => {
    const out = await changeOnce(rules({ t: 'set', p: 'payload', to: '$length(payload)', tot: 'jsonata' }), { payload: 'Hello World!' });
    assert.equal(out!.payload, 12);
  });

  test('legacy msg.* expressions see the message as `msg`', async () => {
    const out = await changeOnce(rules({ t: 'set', p: 'payload', to: 'msg.payload * 2', tot: 'jsonata' }), { payload: 21 });
    assert.equal(out!.payload, 42);
  });

  test('$flowContext, $globalContext and $env are bound', async () => {
    const flow = await startNodeUnderTest(changeNode, rules({ t: 'set', p: 'payload', to: '[$flowContext("f"), $globalContext("g.x"), $env("E")]', tot: 'jsonata' }), { env: { E: 'e' } });
    try {
      flow.runtime.context.scope('t1').set('f', 'flowValue');
      flow.runtime.context.global.set('g', { x: 7 });
      flow.receive('n', { payload: 0 });
      const [out] = await flow.waitForMessages('out0', 1);
      assert.deepEqual(out!.payload, ['flowValue', 7, 'e']);
    } finally {
      await flow.stop();
    }
  });

  test('a failing expression reports an error and sends nothing', async () => {
    await withNode(changeNode, rules({ t: 'set', p: 'payload', to: '$invalid(payload)', tot: 'jsonata' }), async (flow) => {
      flow.receive('n', { payload: 'x' });
      await flow.waitUntil(() => flow.errors.length > 0);
      assert.match(flow.errors[0]!.message, /JSONata/);
      assert.equal(flow.errors[0]!.nodeId, 'n');
      assert.equal(flow.messagesAt('out0').length, 0);
    });
  });

  test('messages keep flowing through a mix of sync and JSONata rules', async () => {
    await withNode(changeNode, rules({ t: 'set', p: 'a', to: '1', tot: 'num' }, { t: 'set', p: 'b', to: 'a + 1', tot: 'jsonata' }, { t: 'set', p: 'c', to: 'b', tot: 'msg' }), async (flow) => {
      flow.receive('n', {});
      const [out] = await flow.waitForMessages('out0', 1);
      assert.equal(out!.c, 2);
    });
  });
});

describe('change: context rules', () => {
  async function withContextNode(config: Record<string, unknown>, body: (flow: Awaited<ReturnType<typeof startNodeUnderTest>>) => Promise<void>): Promise<void> {
    await withNode(changeNode, config, body);
  }

  test('set, change and delete flow and global properties', async () => {
    await withContextNode(
      rules(
        { t: 'set', p: 'globalValue', pt: 'global', to: 'changed', tot: 'str' },
        { t: 'change', p: 'greeting', pt: 'flow', from: 'Hello', to: 'Goodbye' },
        { t: 'delete', p: 'old', pt: 'flow' },
        { t: 'set', p: 'lookup[msg.topic]', pt: 'flow', to: 'payload', tot: 'msg' },
      ),
      async (flow) => {
        const flowScope = flow.runtime.context.scope('t1');
        flowScope.set('greeting', 'Hello World!');
        flowScope.set('old', 1);
        flowScope.set('lookup', { a: 1, b: 2 });
        flow.receive('n', { payload: 'newValue', topic: 'b' });
        await flow.waitForMessages('out0', 1);
        assert.equal(flow.runtime.context.global.get('globalValue'), 'changed');
        assert.equal(flowScope.get('greeting'), 'Goodbye World!');
        assert.equal(flowScope.get('old'), undefined);
        assert.deepEqual(flowScope.get('lookup'), { a: 1, b: 'newValue' });
      },
    );
  });

  test('set the message from flow and global values, nested references included', async () => {
    await withContextNode(rules({ t: 'set', p: 'a', to: 'flowValue', tot: 'flow' }, { t: 'set', p: 'b', to: 'globalValue', tot: 'global' }, { t: 'set', p: 'c', to: 'lookup[msg.topic]', tot: 'flow' }), async (flow) => {
      flow.runtime.context.scope('t1').set('flowValue', 'F');
      flow.runtime.context.scope('t1').set('lookup', { b: 2 });
      flow.runtime.context.global.set('globalValue', 'G');
      flow.receive('n', { topic: 'b' });
      const [out] = await flow.waitForMessages('out0', 1);
      assert.deepEqual([out!.a, out!.b, out!.c], ['F', 'G', 2]);
    });
  });

  test('change a context number by exact match; "from" from global context', async () => {
    await withContextNode(rules({ t: 'change', p: 'count', pt: 'flow', from: '123', fromt: 'num', to: 'abc' }, { t: 'change', p: 'payload', from: 'topic', fromt: 'global', to: 'ABC' }), async (flow) => {
      flow.runtime.context.scope('t1').set('count', 123);
      flow.runtime.context.global.set('topic', 123);
      flow.receive('n', { payload: 123 });
      const [out] = await flow.waitForMessages('out0', 1);
      assert.equal(out!.payload, 'ABC');
      assert.equal(flow.runtime.context.scope('t1').get('count'), 'abc');
    });
  });

  test('a context value the change rule cannot touch stops the message, as in Node-RED', async () => {
    await withContextNode(rules({ t: 'change', p: 'count', pt: 'flow', from: '5', fromt: 'num', to: 'x' }), async (flow) => {
      flow.runtime.context.scope('t1').set('count', 4);
      flow.receive('n', { payload: 'first' });
      await flow.waitUntil(() => flow.runtime.nodeCounters().some((c) => c.id === 'n' && c.messagesIn === 1));
      await flow.settle();
      assert.equal(flow.messagesAt('out0').length, 0);
      assert.equal(flow.runtime.context.scope('t1').get('count'), 4);
    });
  });

  test('an unsupported "from" type reports an error and the message goes on', async () => {
    await withContextNode(rules({ t: 'change', p: 'payload', from: 'null', fromt: 'msg', to: 'abc' }), async (flow) => {
      flow.receive('n', { payload: 'x', null: null });
      await flow.waitForMessages('out0', 1);
      assert.equal(flow.errors.length, 1);
      assert.match(flow.errors[0]!.message, /Invalid 'from' property: unsupported type: object/);
    });
  });

  test('setting beneath a primitive warns, as in Node-RED', async () => {
    await withContextNode(rules({ t: 'set', p: 'payload.x', to: 'msg.missing.deep', tot: 'str' }, { t: 'set', p: 'payload.y', to: 'nope', tot: 'msg' }), async (flow) => {
      flow.receive('n', { payload: 'text' });
      await flow.waitForMessages('out0', 1);
      assert.ok(flow.warnings.some((w) => /Cannot set property of non-object type: payload/.test(w.message)));
    });
  });
});

describe('change: bad configuration fails the deploy with the reason', () => {
  const bad: Array<[string, Record<string, unknown>, RegExp]> = [
    ['invalid regex', { action: 'change', property: 'payload', from: '\\+**+', to: 'N', reg: true }, /rule 1: Invalid 'from' property/],
    ['invalid JSON', rules({ t: 'set', p: 'payload', to: '{bad', tot: 'json' }), /rule 1: invalid JSON/],
    ['invalid JSONata', rules({ t: 'set', p: 'payload', to: '$$$(', tot: 'jsonata' }), /rule 1: Invalid JSONata expression/],
    ['bad property path', rules({ t: 'set', p: 'pay load', to: 'x' }, { t: 'set', p: 'a..b', to: 'x' }), /rule 1/],
    ['unknown property type', rules({ t: 'set', p: 'x', pt: 'node', to: 'x' }), /property type "node"/],
  ];
  for (const [name, config, reason] of bad) {
    test(name, async () => {
      await assert.rejects(startNodeUnderTest(changeNode, config), reason);
    });
  }
});
