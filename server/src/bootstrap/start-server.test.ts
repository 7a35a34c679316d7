import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import type { FlowDocument } from '@loopedge/flows';
import { defineNode, silentLogger, testFixtureNodes } from '@loopedge/runtime';
import { startServer, type RunningServer } from './start-server.js';
import { StartupError } from './startup-error.js';

// Small node types of our own: start-up must not depend on which built-in nodes exist.
const closed: string[] = [];

const storeNode = defineNode({
  type: 'test-store',
  category: 'function',
  config: Type.Object({ key: Type.String({ default: 'counter' }), store: Type.String({ default: 'file' }) }),
  inputs: 1,
  outputs: 1,
  editor: { icon: 'arrow.svg', color: '#ddd' },
  create(node, config) {
    return {
      input(msg, send) {
        const flow = node.context().flow;
        const next = Number(flow.get(config.key, config.store) ?? 0) + 1;
        flow.set(config.key, next, config.store);
        msg.payload = next;
        send(msg);
      },
      close() {
        closed.push(node.id);
      },
    };
  },
});

// A node that cannot start: the runtime's own fixture ('test-fail-start').
const nodeTypes = [storeNode, ...testFixtureNodes.filter((t) => t.type === 'test-fail-start')];

describe('startServer', () => {
  let dataDir: string;
  let server: RunningServer | undefined;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'loopedge-start-'));
    closed.length = 0;
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  function writeFlows(doc: unknown): string {
    const path = join(dataDir, 'my-flows.json');
    writeFileSync(path, JSON.stringify(doc));
    return path;
  }

  async function startFailure(flows: string): Promise<StartupError> {
    try {
      server = await startServer({ flows, data: dataDir, env: {}, logger: silentLogger, nodeTypes });
    } catch (error) {
      assert.ok(error instanceof StartupError, String(error));
      return error;
    }
    assert.fail('start-up should have failed');
  }

  const counterFlow: FlowDocument = [
    { id: 't1', type: 'tab', label: 'Flow 1' },
    { id: 'count', type: 'test-store', z: 't1', key: 'counter', store: 'file', wires: [] },
  ];

  test('runs a valid flow and closes every node on stop', async () => {
    server = await startServer({ flows: writeFlows(counterFlow), data: dataDir, env: {}, logger: silentLogger, nodeTypes });
    assert.equal(server.flowSource.origin, 'argument');
    assert.ok(server.runtime.receive('count', { payload: 'tick' }));
    await server.stop();
    server = undefined;
    assert.deepEqual(closed, ['count']);
  });

  test('values in the "file" context store survive a restart', async () => {
    const flows = writeFlows(counterFlow);
    for (const expected of [1, 2]) {
      server = await startServer({ flows, data: dataDir, env: {}, logger: silentLogger, nodeTypes });
      server.runtime.receive('count', { payload: 'tick' });
      await waitFor(() => server!.runtime.context.scope('t1').get('counter', 'file') === expected);
      await server.stop();
      server = undefined;
    }
  });

  test('an invalid flow file is refused with one line per problem, exit code 2, nothing started', async () => {
    const error = await startFailure(
      writeFlows([
        { id: 't1', type: 'tab' },
        { id: 'a', type: 'test-store', z: 't1', wires: [['ghost']] },
        { id: 'a', type: 'test-store', z: 't1', wires: [] },
        { id: 'b', type: 'no-such-node', z: 't1', wires: [] },
        { id: 'c', type: 'test-store', z: 't1', key: 42, wires: [] },
      ]),
    );
    assert.equal(error.code, 'flows-invalid');
    assert.equal(error.exitCode, 2);
    assert.match(error.message, /my-flows\.json has \d+ problems/);
    const text = error.details.join('\n');
    assert.match(text, /^a id: /m);
    assert.match(text, /^a wires\[0\]\[0\]: .*ghost/m);
    assert.match(text, /^b type: .*no-such-node/m);
    assert.deepEqual(closed, []);
  });

  test('node properties are checked against the node type before start', async () => {
    const error = await startFailure(writeFlows([{ id: 't1', type: 'tab' }, { id: 'c', type: 'test-store', z: 't1', key: 42, wires: [] }]));
    assert.deepEqual(error.details.length, 1);
    assert.match(error.details[0]!, /^c key: /);
  });

  test('bad JSON is refused with file:line:column, exit code 2', async () => {
    const flows = join(dataDir, 'broken.json');
    writeFileSync(flows, '[\n  {"id": "a", "type": "tab"},\n]\n');
    const error = await startFailure(flows);
    assert.equal(error.code, 'flows-bad-json');
    assert.equal(error.exitCode, 2);
    assert.match(error.message, /broken\.json:3:1: .*trailing comma/);
  });

  test('a flow document that is not an array is refused', async () => {
    const error = await startFailure(writeFlows({ flows: [] }));
    assert.equal(error.exitCode, 2);
    assert.equal(error.details.length, 1);
  });

  test('a node that fails to start: exit code 1, naming the node', async () => {
    const error = await startFailure(writeFlows([{ id: 't1', type: 'tab' }, { id: 'serial', type: 'test-fail-start', z: 't1', wires: [] }]));
    assert.equal(error.code, 'runtime-failed');
    assert.equal(error.exitCode, 1);
    assert.match(error.message, /serial/);
    assert.match(error.message, /cannot start on purpose/);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(condition(), 'condition not met within 2 s');
}
