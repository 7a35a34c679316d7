import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryContextStore, SandboxSupervisor, startTestFlow, type FlowMessage, type TestFlow } from '@loopedge/runtime';
import type { FlowDocument } from '@loopedge/flows';
import { coreNodeTypes } from '../../registry/core-nodes.js';

// One sandbox process (and so one Pyodide load) for the whole file.
let sandbox: SandboxSupervisor;
before(() => {
  sandbox = new SandboxSupervisor({ defaultTimeoutMs: 5000 });
});
after(() => sandbox.stop());

interface PythonProps {
  func: string;
  outputs?: number;
  timeout?: number | string;
  initialize?: string;
  finalize?: string;
}

/** tab + python-function "py" (outputs wired to o0, o1, ...) + a catch node wired to "caught". */
function pythonFlow(props: PythonProps, tabEnv: unknown[] = []): FlowDocument {
  const outputs = props.outputs ?? 1;
  const sinks = Array.from({ length: outputs }, (_, i) => ({ id: `o${i}`, type: 'helper', z: 't1', wires: [] }));
  return [
    { id: 't1', type: 'tab', label: 'tests', env: tabEnv },
    { id: 'py', type: 'python-function', z: 't1', name: '', outputs: String(outputs), timeout: '', initialize: '', finalize: '', ...props, wires: sinks.map((s) => [s.id]) },
    { id: 'catch', type: 'catch', z: 't1', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 't1', wires: [] },
    ...sinks,
  ];
}

async function withPython(props: PythonProps, check: (flow: TestFlow) => Promise<void>, tabEnv: unknown[] = []): Promise<void> {
  const flow = await startTestFlow(pythonFlow(props, tabEnv), {
    nodeTypes: coreNodeTypes,
    sandbox,
    env: {},
    contextStorage: { default: 'memory', stores: { memory: new MemoryContextStore() } },
  });
  try {
    await check(flow);
  } finally {
    await flow.stop();
  }
}

const payloads = (messages: FlowMessage[]): unknown[] => messages.map((m) => m.payload);

describe('python-function node', () => {
  test('returns the changed message, keeping its id and topic', async () => {
    await withPython({ func: "msg['payload'] = msg['payload'] * 2\nreturn msg" }, async (flow) => {
      flow.receive('py', { payload: 21, topic: 't', _msgid: 'abc' });
      const [out] = await flow.waitForMessages('o0', 1);
      assert.deepEqual({ ...out }, { payload: 42, topic: 't', _msgid: 'abc' });
    });
  });

  test('a Buffer payload arrives as bytes and leaves as the same bytes', async () => {
    await withPython({ func: "msg['payload'] = bytes(reversed(msg['payload'])) + b'\\x00'\nreturn msg" }, async (flow) => {
      flow.receive('py', { payload: Buffer.from([0xde, 0xad, 0xbe, 0xef]) });
      const [out] = await flow.waitForMessages('o0', 1);
      assert.ok(Buffer.isBuffer(out!.payload));
      assert.deepEqual([...(out!.payload as Buffer)], [0xef, 0xbe, 0xad, 0xde, 0]);
    });
  });

  test('a list routes per output; node.send and None send nothing more; context and env are the node’s', async () => {
    await withPython(
      {
        outputs: 2,
        initialize: "flow.set('limit', 10)",
        func: [
          "count = (context.get('count') or 0) + 1",
          "context.set('count', count)",
          "node.send({'payload': 'seen %d' % count})",
          "if msg['payload'] is None:",
          '    return None',
          "if msg['payload'] > flow.get('limit'):",
          "    return [None, {'payload': env.get('SITE') + ' high'}]",
          'return [msg, None]',
        ].join('\n'),
      },
      async (flow) => {
        flow.receive('py', { payload: 5 });
        flow.receive('py', { payload: 50 });
        flow.receive('py', { payload: null });
        await flow.waitForMessages('o0', 4);
        assert.deepEqual(payloads(flow.messagesAt('o0')), ['seen 1', 5, 'seen 2', 'seen 3']);
        assert.deepEqual(payloads(await flow.waitForMessages('o1', 1)), ['north high']);
      },
      [{ name: 'SITE', type: 'str', value: 'north' }],
    );
  });

  test('a runtime error reaches the catch node with the Python exception and the message as the code left it', async () => {
    await withPython({ func: "msg['step'] = 'before'\nraise ValueError('sensor offline')" }, async (flow) => {
      flow.receive('py', { payload: 1 });
      const [caught] = await flow.waitForMessages('caught', 1);
      assert.equal(caught!.step, 'before');
      const error = caught!.error as { message: string; source: { id: string } };
      assert.match(error.message, /ValueError: sensor offline/);
      assert.equal(error.source.id, 'py');
    });
  });

  test('a syntax error fails the deploy naming the node and line', async () => {
    await assert.rejects(
      startTestFlow(pythonFlow({ func: 'return (1,' }), { nodeTypes: coreNodeTypes, sandbox }),
      (error: Error) => /py/.test(error.message) && /SyntaxError/.test(error.message) && /body: line 1, column \d+/.test(error.message),
    );
    await assert.rejects(startTestFlow(pythonFlow({ func: 'return msg', initialize: 'x = 1\n  y = 2' }), { nodeTypes: coreNodeTypes, sandbox }), /setup: line 2/);
  });

  test('an endless loop is stopped by the timeout and reported; the node keeps working', async () => {
    await withPython({ timeout: '0.5', func: "if msg['payload'] == 'spin':\n    while True: pass\nreturn msg" }, async (flow) => {
      flow.receive('py', { payload: 'spin' });
      flow.receive('py', { payload: 'next' });
      const [caught] = await flow.waitForMessages('caught', 1, 10_000);
      assert.match((caught!.error as { message: string }).message, /timed out/);
      assert.deepEqual(payloads(await flow.waitForMessages('o0', 1, 10_000)), ['next']);
    });
  });

  test('status and warn reach the runtime; On Stop runs on redeploy and the status is cleared', async () => {
    const flow = await startTestFlow(
      pythonFlow({ func: "node.status({'fill': 'green', 'shape': 'dot', 'text': 'running'})\nnode.warn('careful')\nreturn msg", finalize: "global_.set('stopped', 'yes')" }),
      { nodeTypes: coreNodeTypes, sandbox },
    );
    try {
      flow.receive('py', { payload: 1 });
      await flow.waitForMessages('o0', 1);
      assert.deepEqual(flow.statuses('py')[0], { fill: 'green', shape: 'dot', text: 'running' });
      assert.ok(flow.warnings.some((w) => w.nodeId === 'py' && w.message === 'careful'));
      const redeploy = await flow.runtime.deploy([{ id: 't1', type: 'tab', label: 'tests' }]);
      assert.equal(redeploy.ok, true);
      assert.equal(flow.runtime.context.global.get('stopped'), 'yes');
      assert.deepEqual(flow.statuses('py').at(-1), {});
    } finally {
      await flow.stop();
    }
  });
});
