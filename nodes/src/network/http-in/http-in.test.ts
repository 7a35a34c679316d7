import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestFlow, type FlowMessage, type TestFlow } from '@loopedge/runtime';
import type { FlowDocument } from '@loopedge/flows';
import { changeNode } from '../../function/change/index.js';
import { httpResponseNode } from '../http-response/index.js';
import { httpInNode } from './index.js';
import { MemoryHttpEndpoints } from './memory-endpoints.js';

const TAB = { id: 't1', type: 'tab', label: 'API' };
const types = [httpInNode, httpResponseNode, changeNode];

/** http in → change (payload = one msg property) → http response, plus a sink that records what the flow saw. */
function echoFlow(inConfig: Record<string, unknown>, payloadFrom: string, responseConfig: Record<string, unknown> = {}): FlowDocument {
  return [
    TAB,
    { id: 'in', type: 'http in', z: 't1', ...inConfig, wires: [['set', 'seen']] },
    { id: 'seen', type: 'helper', z: 't1', wires: [] },
    { id: 'set', type: 'change', z: 't1', rules: [{ t: 'set', p: 'payload', pt: 'msg', to: payloadFrom, tot: 'msg' }], wires: [['out']] },
    { id: 'out', type: 'http response', z: 't1', ...responseConfig, wires: [] },
  ] as FlowDocument;
}

async function withEndpoints(flow: FlowDocument, body: (flow: TestFlow, endpoints: MemoryHttpEndpoints) => Promise<void>): Promise<void> {
  const endpoints = new MemoryHttpEndpoints();
  const running = await startTestFlow(flow, { nodeTypes: types, host: { httpEndpoints: endpoints } });
  try {
    await body(running, endpoints);
  } finally {
    await running.stop();
  }
}

describe('http in / http response (through the engine)', () => {
  test('GET with a path parameter: msg.req.params and the query as payload, JSON answer', async () => {
    await withEndpoints(echoFlow({ url: '/sensor/:id', method: 'get' }, 'req'), async (flow, endpoints) => {
      const reply = await endpoints.request('get', '/sensor/42', { query: { unit: 'C' } });
      assert.equal(reply.statusCode, 200);
      assert.equal(reply.headers['content-type'], 'application/json; charset=utf-8');
      const req = JSON.parse(reply.body.toString()) as { params: Record<string, string>; query: Record<string, string> };
      assert.deepEqual(req.params, { id: '42' });
      assert.deepEqual(req.query, { unit: 'C' });
      const [seen] = flow.messagesAt('seen');
      assert.deepEqual(seen!.payload, { unit: 'C' }, 'GET: msg.payload is the query');
    });
  });

  test('POST: payload is the body; status from msg.statusCode, node headers override msg.headers', async () => {
    const flow = echoFlow({ url: 'readings', method: 'post' }, 'payload', { headers: { 'X-Source': 'node' } });
    flow.splice(3, 1, { id: 'set', type: 'change', z: 't1', rules: [{ t: 'set', p: 'statusCode', pt: 'msg', to: '201', tot: 'num' }, { t: 'set', p: 'headers', pt: 'msg', to: '{"x-source":"msg","x-extra":"1"}', tot: 'json' }], wires: [['out']] });
    await withEndpoints(flow, async (_flow, endpoints) => {
      const reply = await endpoints.request('post', '/readings', { body: { t: 21.5 } });
      assert.equal(reply.statusCode, 201);
      assert.equal(reply.headers['x-source'], 'node');
      assert.equal(reply.headers['x-extra'], '1');
      assert.deepEqual(JSON.parse(reply.body.toString()), { t: 21.5 });
    });
  });

  test('a string payload is text, a Buffer is sent as its bytes', async () => {
    const flow = echoFlow({ url: '/text', method: 'post' }, 'payload');
    await withEndpoints(flow, async (_flow, endpoints) => {
      const text = await endpoints.request('post', '/text', { body: 'hello' });
      assert.equal(text.body.toString(), 'hello');
      assert.match(text.headers['content-type']!, /^text\/html/);
      const bytes = await endpoints.request('post', '/text', { body: Buffer.from([0, 255, 7]) });
      assert.deepEqual([...bytes.body], [0, 255, 7]);
      assert.equal(bytes.headers['content-type'], 'application/octet-stream');
    });
  });

  test('two nodes serving the same method and path: the deploy fails naming both', async () => {
    const flow = [
      TAB,
      { id: 'first', type: 'http in', z: 't1', url: '/same', method: 'get', wires: [[]] },
      { id: 'second', type: 'http in', z: 't1', url: '/same/', method: 'get', wires: [[]] },
    ] as FlowDocument;
    await assert.rejects(startTestFlow(flow, { nodeTypes: types, host: { httpEndpoints: new MemoryHttpEndpoints() } }), (error: Error) => {
      assert.match(error.message, /GET \/same is already served by node (first|second)/);
      assert.match(error.message, /http in (first|second)/);
      return true;
    });
  });

  test('same path with another method is fine; literal paths win over parameters', async () => {
    const flow = [
      TAB,
      { id: 'list', type: 'http in', z: 't1', url: '/items/list', method: 'get', wires: [['seen']] },
      { id: 'one', type: 'http in', z: 't1', url: '/items/:id', method: 'get', wires: [['seen']] },
      { id: 'add', type: 'http in', z: 't1', url: '/items/:id', method: 'post', wires: [['seen']] },
      { id: 'seen', type: 'helper', z: 't1', wires: [] },
    ] as FlowDocument;
    await withEndpoints(flow, async (running, endpoints) => {
      void endpoints.request('get', '/items/list');
      void endpoints.request('post', '/items/7', { body: { a: 1 } });
      const seen = await running.waitForMessages('seen', 2);
      const paths = seen.map((m: FlowMessage) => `${(m.req as { method: string }).method} ${JSON.stringify((m.req as { params: unknown }).params)}`).sort();
      assert.deepEqual(paths, ['GET {}', 'POST {"id":"7"}']);
    });
  });

  test('http response without msg.res warns and answers nothing; http in without the host service fails its deploy', async () => {
    const flow = [TAB, { id: 'out', type: 'http response', z: 't1', wires: [] }] as FlowDocument;
    await withEndpoints(flow, async (running) => {
      running.receive('out', { payload: 'x' });
      await running.waitUntil(() => running.warnings.length > 0);
      assert.match(running.warnings[0]!.message, /no msg\.res/);
    });
    const noHost = [TAB, { id: 'in', type: 'http in', z: 't1', url: '/x', wires: [[]] }] as FlowDocument;
    await assert.rejects(startTestFlow(noHost, { nodeTypes: types }), /serves no HTTP endpoints/);
  });

  test('redeploying a changed http in node on the same path is not a duplicate', async () => {
    const flow = echoFlow({ url: '/same', method: 'get' }, 'req.query');
    await withEndpoints(flow, async (running, endpoints) => {
      const changed = flow.map((n) => (n.id === 'in' ? { ...n, name: 'renamed' } : n)) as FlowDocument;
      for (const type of ['nodes', 'flows', 'full'] as const) {
        const result = await running.runtime.deploy(changed.map((n) => ({ ...n, info: type })) as FlowDocument, { type });
        assert.equal(result.ok, true, `${type}: ${result.error}`);
      }
      assert.equal(endpoints.table.size, 1);
      const reply = await endpoints.request('get', '/same', { query: { a: '1' } });
      assert.deepEqual(JSON.parse(reply.body.toString()), { a: '1' });
    });
  });

  test('a redeploy without the node frees its path', async () => {
    await withEndpoints(echoFlow({ url: '/gone', method: 'get' }, 'req.query'), async (running, endpoints) => {
      assert.equal(endpoints.table.size, 1);
      const result = await running.runtime.deploy([TAB] as FlowDocument, { type: 'full' });
      assert.equal(result.ok, true);
      assert.equal(endpoints.table.size, 0);
      await assert.rejects(endpoints.request('get', '/gone'), /no endpoint/);
    });
  });
});
