import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { helperNode, MemoryContextStore, Runtime, SandboxSupervisor, startTestFlow, type FlowMessage, type TestFlow } from '@loopedge/runtime';
import type { FlowDocument } from '@loopedge/flows';
import { coreNodeTypes } from '../../registry/core-nodes.js';

// One sandbox process for the whole file: each test deploys its own flow into it.
let sandbox: SandboxSupervisor;
before(() => {
  sandbox = new SandboxSupervisor({ defaultTimeoutMs: 5000 });
});
after(() => sandbox.stop());

interface FunctionProps {
  func: string;
  outputs?: number;
  timeout?: number | string;
  initialize?: string;
  finalize?: string;
  libs?: unknown[];
  name?: string;
}

/** tab + function node "fn" (outputs wired to o0, o1, ...) + a catch node wired to "caught". */
function functionFlow(props: FunctionProps, extra: FlowDocument = [], tabEnv: unknown[] = []): FlowDocument {
  const outputs = props.outputs ?? 1;
  const sinks = Array.from({ length: outputs }, (_, i) => ({ id: `o${i}`, type: 'helper', z: 't1', wires: [] }));
  return [
    { id: 't1', type: 'tab', label: 'tests', env: tabEnv },
    { id: 'fn', type: 'function', z: 't1', name: props.name ?? '', outputs, timeout: 0, initialize: '', finalize: '', libs: [], ...props, wires: sinks.map((s) => [s.id]) },
    { id: 'catch', type: 'catch', z: 't1', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 't1', wires: [] },
    ...sinks,
    ...extra,
  ];
}

async function withFunction(props: FunctionProps, check: (flow: TestFlow) => Promise<void>, options: { extra?: FlowDocument; tabEnv?: unknown[]; env?: Record<string, string> } = {}): Promise<void> {
  const flow = await startTestFlow(functionFlow(props, options.extra, options.tabEnv), {
    nodeTypes: coreNodeTypes,
    sandbox,
    env: options.env ?? {},
    contextStorage: { default: 'memory', stores: { memory: new MemoryContextStore(), other: new MemoryContextStore() } },
  });
  try {
    await check(flow);
  } finally {
    await flow.stop();
  }
}

const payloads = (messages: FlowMessage[]): unknown[] => messages.map((m) => m.payload);

describe('function node', () => {
  test('returns the changed message, keeping its id', async () => {
    await withFunction({ func: 'msg.payload = msg.payload * 2;\nreturn msg;' }, async (flow) => {
      flow.receive('fn', { payload: 21, topic: 't', _msgid: 'abc' });
      const [out] = await flow.waitForMessages('o0', 1);
      assert.deepEqual({ ...out }, { payload: 42, topic: 't', _msgid: 'abc' });
    });
  });

  test('an array per output, arrays of messages, null and nothing', async () => {
    await withFunction({ func: 'if (msg.payload === 0) return;\nif (msg.payload === 1) return null;\nreturn [[{payload: "a"}, {payload: "b"}], null, msg];', outputs: 3 }, async (flow) => {
      for (const payload of [0, 1, 2]) flow.receive('fn', { payload });
      await flow.waitForMessages('o2', 1);
      await flow.settle(50);
      assert.deepEqual(payloads(flow.messagesAt('o0')), ['a', 'b']);
      assert.deepEqual(flow.messagesAt('o1'), []);
      assert.deepEqual(payloads(flow.messagesAt('o2')), [2]);
      assert.equal(flow.messagesAt('o0')[0]!._msgid, flow.messagesAt('o2')[0]!._msgid, 'sent messages carry the incoming message id');
    });
  });

  test('node.send, async code and node.done() complete the message when the code says so', async () => {
    const complete = [
      { id: 'cmp', type: 'complete', z: 't1', scope: ['fn'], uncaught: false, wires: [['completed']] },
      { id: 'completed', type: 'helper', z: 't1', wires: [] },
    ];
    const func = 'node.send({payload: "first"});\nawait new Promise((resolve) => setTimeout(resolve, 20));\nmsg.payload = "late";\nnode.send(msg);\nnode.done();';
    await withFunction({ func }, async (flow) => {
      flow.receive('fn', { payload: 'early' });
      const [completed] = await flow.waitForMessages('completed', 1);
      assert.deepEqual(payloads(flow.messagesAt('o0')), ['first', 'late']);
      assert.equal(completed!.payload, 'late', 'the complete node sees the message as the code left it');
    }, { extra: complete });
  });

  test('context, flow and global keep values between messages, with store names and callbacks', async () => {
    const func = [
      "const n = (context.get('n') || 0) + 1; context.set('n', n);",
      "flow.set('total', (flow.get('total') || 0) + msg.payload);",
      "global.set('seen.last', msg.payload, 'other');",
      "context.get(['n', 'missing'], (err, a, b) => { msg.fromCallback = [err, a, b]; });",
      "msg.result = { n, total: flow.get('total'), last: global.get('#:(other)::seen.last'), keys: context.keys().sort(), defaultStore: global.get('seen') };",
      'return msg;',
    ].join('\n');
    await withFunction({ func }, async (flow) => {
      flow.receive('fn', { payload: 5 });
      flow.receive('fn', { payload: 7 });
      const messages = await flow.waitForMessages('o0', 2);
      assert.deepEqual(messages[1]!.result, { n: 2, total: 12, last: 7, keys: ['n'], defaultStore: undefined });
      assert.deepEqual(messages[1]!.fromCallback, [undefined, 2, undefined]);
      assert.equal(flow.runtime.context.global.get('seen.last', 'other'), 7);
    });
  });

  test('env.get sees the tab environment with its types and the runtime environment', async () => {
    const func = "msg.payload = [env.get('LIMIT'), env.get('SITE'), env.get('NR_NODE_ID'), env.get('NOPE')];\nreturn msg;";
    await withFunction({ func }, async (flow) => {
      flow.receive('fn', {});
      const [out] = await flow.waitForMessages('o0', 1);
      assert.deepEqual(out!.payload, [10, 'north', 'fn', undefined]);
    }, { tabEnv: [{ name: 'LIMIT', value: '10', type: 'num' }], env: { SITE: 'north' } });
  });

  test('binary payloads cross as their exact bytes, with Node-style Buffer methods', async () => {
    const func = [
      'const copy = Buffer.from(msg.payload);',
      'msg.payload = Buffer.concat([Buffer.from("hi "), copy]);',
      "msg.info = [Buffer.isBuffer(copy), copy.length, copy.toString('hex'), copy.readUInt16BE(0), Buffer.from('aGk=', 'base64').toString()];",
      'return msg;',
    ].join('\n');
    await withFunction({ func }, async (flow) => {
      flow.receive('fn', { payload: Buffer.from([0x01, 0x02, 0xff]) });
      const [out] = await flow.waitForMessages('o0', 1);
      assert.ok(Buffer.isBuffer(out!.payload));
      assert.deepEqual([...(out!.payload as Buffer)], [0x68, 0x69, 0x20, 0x01, 0x02, 0xff]);
      assert.deepEqual(out!.info, [true, 3, '0102ff', 0x0102, 'hi']);
    });
  });

  test('a syntax error stops the deploy, naming the node, the line and the column', async () => {
    await assert.rejects(
      startTestFlow(functionFlow({ func: 'const a = 1;\nconst b = ;\nreturn msg;' }), { nodeTypes: coreNodeTypes, sandbox }),
      (error: Error) => /fn/.test(error.message) && /SyntaxError/.test(error.message) && /line 2, column 11/.test(error.message),
    );
    await assert.rejects(startTestFlow(functionFlow({ func: 'return msg;', initialize: 'let x = {;' }), { nodeTypes: coreNodeTypes, sandbox }), /setup: line 1/);
  });

  test('a runtime error reaches catch nodes with msg.error and a stack pointing into the code', async () => {
    await withFunction({ func: 'msg.payload = "changed";\nconst data = null;\nreturn data.value;' }, async (flow) => {
      flow.receive('fn', { payload: 'original' });
      const [caught] = await flow.waitForMessages('caught', 1);
      const error = caught!.error as { message: string; stack: string; source: { id: string } };
      assert.equal(error.source.id, 'fn');
      assert.match(error.message, /^TypeError: Cannot read properties of null/);
      assert.match(error.stack, /Function node:fn:3:\d+/, 'line 3 of the user code');
      assert.equal(caught!.payload, 'changed', 'the catch node sees the message as the code left it');
      assert.ok(caught!._error instanceof Error);
    });
  });

  test('a thrown string reaches catch nodes as that string; node.error and node.warn report too', async () => {
    await withFunction({ func: 'node.warn("careful");\nnode.error("reported", msg);\nthrow "plain text";' }, async (flow) => {
      flow.receive('fn', { payload: 1 });
      const caught = await flow.waitForMessages('caught', 2);
      assert.deepEqual(caught.map((m) => (m.error as { message: string }).message), ['reported', 'plain text']);
      assert.ok(flow.warnings.some((w) => w.nodeId === 'fn' && w.message === 'careful'));
    });
  });

  test('a message over its time limit fails, the code is reset and the node keeps working', async () => {
    const func = "if (msg.payload === 'spin') { while (true) {} }\nif (msg.payload === 'wait') { await new Promise(() => {}); }\nmsg.payload = [context.get('started'), msg.payload];\nreturn msg;";
    await withFunction({ func, timeout: 0.3, initialize: "context.set('started', (context.get('started') || 0) + 1);" }, async (flow) => {
      flow.receive('fn', { payload: 'spin' });
      await flow.waitForMessages('caught', 1, 5000);
      flow.receive('fn', { payload: 'wait' });
      await flow.waitForMessages('caught', 2, 5000);
      flow.receive('fn', { payload: 'ok' });
      const [out] = await flow.waitForMessages('o0', 1, 5000);
      assert.deepEqual(out!.payload, [3, 'ok'], 'On Start ran again after each reset');
      for (const caught of flow.messagesAt('caught')) assert.match((caught.error as { message: string }).message, /timed out after 300 ms/);
    });
  });

  test('timers: setTimeout sends later, clearTimeout cancels, setInterval repeats until cleared', async () => {
    const func = [
      "const keep = setTimeout(() => node.send({payload: 'timeout'}), 10);",
      "const cancel = setTimeout(() => node.send({payload: 'cancelled'}), 10); clearTimeout(cancel);",
      "let n = 0; const every = setInterval(() => { n++; node.send({payload: 'tick ' + n}); if (n === 3) clearInterval(every); }, 5);",
    ].join('\n');
    await withFunction({ func }, async (flow) => {
      flow.receive('fn', {});
      await flow.waitForMessages('o0', 4);
      await flow.settle(60);
      assert.deepEqual(payloads(flow.messagesAt('o0')).sort(), ['tick 1', 'tick 2', 'tick 3', 'timeout']);
    });
  });

  test('On Start runs first, On Stop runs on redeploy, timers and the status the code set are cleared', async () => {
    const flow = await startTestFlow(
      functionFlow({
        func: "node.status({fill: 'green', shape: 'dot', text: 'busy'});\nsetInterval(() => node.send({payload: 'tick'}), 5);\nmsg.payload = context.get('ready');\nreturn msg;",
        initialize: "await new Promise((resolve) => setTimeout(resolve, 20));\ncontext.set('ready', 'yes');",
        finalize: "global.set('stopped', 'cleanly');",
      }),
      { nodeTypes: coreNodeTypes, sandbox },
    );
    try {
      flow.receive('fn', {});
      await flow.waitUntil(() => flow.messagesAt('o0').some((m) => m.payload === 'yes'), 2000);
      await flow.waitForMessages('o0', 3);
      const redeploy = await flow.runtime.deploy([{ id: 't1', type: 'tab', label: 'tests' }]);
      assert.equal(redeploy.ok, true);
      assert.equal(flow.runtime.context.global.get('stopped'), 'cleanly');
      assert.deepEqual(flow.statuses('fn').at(-1), {}, 'the status is cleared when the node stops');
      const ticks = flow.messagesAt('o0').length;
      await flow.settle(60);
      assert.equal(flow.messagesAt('o0').length, ticks, 'no timer fires after the node stopped');
    } finally {
      await flow.stop();
    }
  });

  test('sending something that is not a message is an error; libs are reported and not loaded', async () => {
    await withFunction({ func: 'node.send("text");\nreturn [msg];', libs: [{ var: 'fs', module: 'fs' }] }, async (flow) => {
      flow.receive('fn', { payload: 1 });
      await flow.waitForMessages('o0', 1);
      await flow.waitUntil(() => flow.errors.some((e) => /Function tried to send a message of type string/.test(e.message)));
      assert.ok(flow.warnings.some((w) => /External modules are not available.*fs/.test(w.message)));
    });
  });

  test('limits: too many sends for one message fail it with a clear error', async () => {
    const limited = new SandboxSupervisor({ limits: { maxSendsPerMessage: 5 } });
    const flow = await startTestFlow(functionFlow({ func: 'for (let i = 0; i < 10; i++) node.send({payload: i});' }), { nodeTypes: coreNodeTypes, sandbox: limited });
    try {
      flow.receive('fn', {});
      const [caught] = await flow.waitForMessages('caught', 1, 5000);
      assert.match((caught!.error as { message: string }).message, /node\.send was called more than 5 times for one message/);
      assert.equal(flow.messagesAt('o0').length, 5);
    } finally {
      await flow.stop();
      await limited.stop();
    }
  });

  test('a runtime deploys function nodes without a shared supervisor and stops its own sandbox', async () => {
    const runtime = new Runtime({ nodeTypes: [...coreNodeTypes, helperNode], env: {} });
    const result = await runtime.deploy(functionFlow({ func: 'return msg;' }));
    assert.equal(result.ok, true);
    assert.equal(runtime.sandbox.status.running, true);
    await runtime.stop();
    assert.equal(runtime.sandbox.status.running, false);
  });
});
