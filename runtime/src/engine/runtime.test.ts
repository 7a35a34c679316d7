import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlowDocument } from '@loopedge/flows';
import { startTestFlow } from '../testing/test-flow.js';
import { fixtureNodes } from '../testing/fixture-nodes.js';
import { SqliteContextStore } from '../context/sqlite-store.js';
import { MemoryContextStore } from '../context/memory-store.js';

const tab = { id: 't1', type: 'tab', label: 'Main' };
const nodeTypes = fixtureNodes;

describe('message delivery', () => {
  test('a chain delivers in order and adds _msgid', async () => {
    const flow = await startTestFlow(
      [tab, { id: 'a', type: 'test-pass', z: 't1', tag: 'a', wires: [['b']] }, { id: 'b', type: 'test-pass', z: 't1', tag: 'b', wires: [['h']] }, { id: 'h', type: 'helper', z: 't1' }],
      { nodeTypes },
    );
    try {
      for (let i = 0; i < 5; i++) flow.receive('a', { payload: i });
      const got = await flow.waitForMessages('h', 5);
      assert.deepEqual(got.map((m) => m.payload), [0, 1, 2, 3, 4]);
      assert.deepEqual(got.map((m) => m.path), ['ab', 'ab', 'ab', 'ab', 'ab']);
      assert.ok(got.every((m) => typeof m._msgid === 'string' && m._msgid.length === 16));
    } finally {
      await flow.stop();
    }
  });

  test('the first wire gets the original, every other wire a copy', async () => {
    const flow = await startTestFlow(
      [tab, { id: 'f', type: 'test-fork', z: 't1', wires: [['h1', 'h2'], ['h3']] }, { id: 'h1', type: 'helper', z: 't1' }, { id: 'h2', type: 'helper', z: 't1' }, { id: 'h3', type: 'helper', z: 't1' }],
      { nodeTypes },
    );
    try {
      const original = { payload: { deep: [1, 2] } };
      flow.receive('f', original);
      await flow.waitForMessages('h3', 1);
      const [m1] = flow.messagesAt('h1');
      const [m2] = flow.messagesAt('h2');
      const [m3] = flow.messagesAt('h3');
      assert.equal(m1, original);
      assert.notEqual(m2, original);
      assert.notEqual(m3, original);
      assert.notEqual((m2!.payload as { deep: number[] }).deep, original.payload.deep);
      assert.deepEqual(m2!.payload, original.payload);
      assert.equal(m2!._msgid, m1!._msgid);
    } finally {
      await flow.stop();
    }
  });

  test('a busy sender does not starve another branch', async () => {
    const flow = await startTestFlow(
      [tab, { id: 'a', type: 'test-pass', z: 't1', wires: [['ha']] }, { id: 'b', type: 'test-pass', z: 't1', wires: [['hb']] }, { id: 'ha', type: 'helper', z: 't1' }, { id: 'hb', type: 'helper', z: 't1' }],
      { nodeTypes },
    );
    try {
      for (let i = 0; i < 20_000; i++) flow.receive('a', { payload: i });
      flow.receive('b', { payload: 'late' });
      await flow.waitForMessages('hb', 1);
      // b's one message is delivered in FIFO order, long before a's backlog drains.
      assert.ok(flow.messagesAt('ha').length <= 20_000);
      await flow.waitForMessages('ha', 20_000, 10_000);
    } finally {
      await flow.stop();
    }
  });

  test('errors are reported with the node id and never stop other nodes', async () => {
    const flow = await startTestFlow(
      [tab, { id: 'x', type: 'test-throw', z: 't1', how: 'reject', wires: [[]] }, { id: 'a', type: 'test-pass', z: 't1', wires: [['h']] }, { id: 'h', type: 'helper', z: 't1' }],
      { nodeTypes },
    );
    try {
      flow.receive('x', { payload: 1 });
      flow.receive('a', { payload: 2 });
      await flow.waitForMessages('h', 1);
      await flow.waitUntil(() => flow.errors.length === 1);
      assert.equal(flow.errors[0]!.nodeId, 'x');
      assert.match(flow.errors[0]!.message, /rejected on purpose/);
      const counters = flow.runtime.nodeCounters().find((c) => c.id === 'x')!;
      assert.equal(counters.errors, 1);
      assert.equal(counters.messagesIn, 1);
    } finally {
      await flow.stop();
    }
  });
});

describe('deploy', () => {
  const base: FlowDocument = [
    tab,
    { id: 'c', type: 'test-counter', z: 't1', step: 1, wires: [['h']] },
    { id: 'd', type: 'test-counter', z: 't1', step: 10, wires: [['h2']] },
    { id: 'h', type: 'helper', z: 't1' },
    { id: 'h2', type: 'helper', z: 't1' },
  ];

  test('changed-nodes deploy keeps untouched nodes running with their state', async () => {
    const flow = await startTestFlow(base, { nodeTypes });
    try {
      flow.receive('c', {});
      flow.receive('d', {});
      await flow.waitForMessages('h2', 1);
      const next = structuredClone(base);
      next[2]!.step = 20;
      const result = await flow.runtime.deploy(next, { type: 'nodes' });
      assert.equal(result.ok, true);
      assert.equal(result.started, 1);
      flow.receive('c', {});
      flow.receive('d', {});
      await flow.waitForMessages('h2', 2);
      await flow.waitForMessages('h', 2);
      assert.deepEqual(flow.messagesAt('h').map((m) => m.payload), [1, 2], 'c kept its count');
      assert.deepEqual(flow.messagesAt('h2').map((m) => m.payload), [10, 20], 'd restarted with the new step');
    } finally {
      await flow.stop();
    }
  });

  test('rewiring only does not restart a node', async () => {
    const flow = await startTestFlow(base, { nodeTypes });
    try {
      flow.receive('c', {});
      await flow.waitForMessages('h', 1);
      const next = structuredClone(base);
      next[1]!.wires = [["h2"]];
      const result = await flow.runtime.deploy(next, { type: 'nodes' });
      assert.equal(result.started, 0);
      flow.receive('c', {});
      await flow.waitForMessages('h2', 1);
      assert.equal(flow.messagesAt('h2')[0]!.payload, 2);
    } finally {
      await flow.stop();
    }
  });

  test('a full deploy restarts everything', async () => {
    const flow = await startTestFlow(base, { nodeTypes });
    try {
      flow.receive('c', {});
      await flow.waitForMessages('h', 1);
      const result = await flow.runtime.deploy(structuredClone(base), { type: 'full' });
      assert.equal(result.ok, true);
      flow.receive('c', {});
      await flow.waitForMessages('h', 2);
      assert.deepEqual(flow.messagesAt('h').map((m) => m.payload), [1, 1]);
    } finally {
      await flow.stop();
    }
  });

  test('a node that fails to start fails the deploy and the previous flows keep running', async () => {
    const flow = await startTestFlow(base, { nodeTypes });
    try {
      flow.receive('c', {});
      await flow.waitForMessages('h', 1);
      const next = [...structuredClone(base), { id: 'bad', type: 'test-fail-start', z: 't1', wires: [] }];
      next[1]!.step = 5;
      const result = await flow.runtime.deploy(next, { type: 'nodes' });
      assert.equal(result.ok, false);
      assert.equal(result.failedNode, 'bad');
      assert.match(result.error ?? '', /cannot start on purpose/);
      assert.equal(flow.runtime.revision, '1');
      flow.receive('c', {});
      await flow.waitForMessages('h', 2);
      assert.equal(flow.messagesAt('h')[1]!.payload, 1, 'c runs the previous config again');
      assert.equal(flow.runtime.node('bad'), undefined);
    } finally {
      await flow.stop();
    }
  });

  test('invalid documents are refused with every problem and nothing changes', async () => {
    const flow = await startTestFlow(base, { nodeTypes });
    try {
      const result = await flow.runtime.deploy([
        tab,
        { id: 'c', type: 'test-counter', z: 't1', step: { bad: true }, wires: [['nowhere']] },
        { id: 'u', type: 'no-such-type', z: 't1', wires: [] },
        { id: 'v', type: 'also-missing', z: 't1', wires: [] },
      ]);
      assert.equal(result.ok, false);
      const codes = result.problems.map((p) => `${p.nodeId}:${p.code}`);
      assert.ok(codes.includes('u:unknown-type'), codes.join());
      assert.ok(codes.includes('v:unknown-type'), codes.join());
      assert.ok(codes.some((c) => c.startsWith('c:')), codes.join());
      flow.receive('c', {});
      await flow.waitForMessages('h', 1);
    } finally {
      await flow.stop();
    }
  });

  test('config values that break the schema are refused with the field path', async () => {
    const problems = (await startTestFlow([tab], { nodeTypes })).runtime.validate([tab, { id: 'c', type: 'test-counter', z: 't1', step: [1], wires: [] }]);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.nodeId, 'c');
    assert.equal(problems[0]!.field, 'step');
  });
});

describe('credentials', () => {
  test('a node gets its own credentials from the credential source, by document id', async () => {
    const asked: string[] = [];
    const flow = await startTestFlow([tab, { id: 'k', type: 'test-credentials', z: 't1', wires: [['h']] }, { id: 'h', type: 'helper', z: 't1' }], {
      nodeTypes,
      credentials: {
        get(nodeId): Record<string, string> {
          asked.push(nodeId);
          return nodeId === 'k' ? { password: 'pw-for-k' } : {};
        },
      },
    });
    try {
      flow.receive('k', { expected: 'pw-for-k' });
      const [msg] = await flow.waitForMessages('h', 1);
      assert.deepEqual(msg!.payload, { fields: ['password'], matches: true });
      assert.ok(!JSON.stringify(flow.runtime.flows).includes('pw-for-k'), 'credentials never enter the flow document');
      assert.ok(asked.includes('k'));
    } finally {
      await flow.stop();
    }
  });
});

describe('context, env and subflows', () => {
  test('persistent context survives a new runtime on the same file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loopedge-ctx-'));
    const file = join(dir, 'context.sqlite');
    const doc: FlowDocument = [tab, { id: 'w', type: 'test-context', z: 't1', key: 'k.nested', store: 'file', wires: [['h']] }, { id: 'h', type: 'helper', z: 't1' }];
    try {
      const first = await startTestFlow(doc, { nodeTypes, contextStorage: { default: 'memory', stores: { memory: new MemoryContextStore(), file: new SqliteContextStore(file) } } });
      first.receive('w', { payload: { n: 42 } });
      await first.waitForMessages('h', 1);
      await first.stop();
      const second = await startTestFlow(doc, { nodeTypes, contextStorage: { default: 'memory', stores: { memory: new MemoryContextStore(), file: new SqliteContextStore(file) } } });
      second.receive('w', { topic: 'read' });
      const [msg] = await second.waitForMessages('h', 1);
      assert.deepEqual(msg!.payload, { n: 42 });
      await second.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('${VAR} properties and env.get resolve through tab env and process env', async () => {
    const flow = await startTestFlow(
      [
        { ...tab, env: [{ name: 'SETTING', type: 'str', value: 'from-tab' }] },
        { id: 'w', type: 'test-context', z: 't1', key: '${KEY_NAME}', wires: [['h']] },
        { id: 'h', type: 'helper', z: 't1' },
      ],
      { nodeTypes, env: { KEY_NAME: 'chosen' } },
    );
    try {
      flow.receive('w', { payload: 7 });
      const [msg] = await flow.waitForMessages('h', 1);
      assert.equal(msg!.env, 'from-tab');
      assert.deepEqual(flow.runtime.context.scope('t1').keys(), ['chosen']);
    } finally {
      await flow.stop();
    }
  });

  test('a subflow instance runs its nodes with instance env, and outputs reach the instance wires', async () => {
    const doc: FlowDocument = [
      tab,
      { id: 'sf', type: 'subflow', name: 'Double', in: [{ wires: [{ id: 'in1' }] }], out: [{ wires: [{ id: 'in1', port: 0 }] }, { wires: [{ id: 'sf' }] }], env: [{ name: 'SETTING', type: 'str', value: 'template' }] },
      { id: 'in1', type: 'test-context', z: 'sf', key: 'seen', wires: [[]] },
      { id: 'i1', type: 'subflow:sf', z: 't1', env: [{ name: 'SETTING', type: 'str', value: 'instance' }], wires: [['h'], ['hp']] },
      { id: 'h', type: 'helper', z: 't1' },
      { id: 'hp', type: 'helper', z: 't1' },
    ];
    const flow = await startTestFlow(doc, { nodeTypes });
    try {
      flow.receive('i1', { payload: 3 });
      const [msg] = await flow.waitForMessages('h', 1);
      await flow.waitForMessages('hp', 1);
      assert.equal(msg!.env, 'instance');
      assert.ok(flow.runtime.node('i1-in1'), 'internal node gets the instance prefix');
      assert.deepEqual(flow.runtime.context.scope('i1').get('seen'), 3);
    } finally {
      await flow.stop();
    }
  });
});
