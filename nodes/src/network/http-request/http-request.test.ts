import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestFlow, type TestFlow } from '@loopedge/runtime';
import { nodeUnderTestFlow, outputId, withNode } from '../../shared/node-test-kit.js';
import { catchNode } from '../../common/catch/index.js';
import { httpRequestNode } from './index.js';

interface Echo {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** The peer: a real HTTP server on 127.0.0.1:0 with a few fixed endpoints (one that never answers). */
function startPeer(): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://peer').pathname;
      if (path === '/hang') return; // never answers
      if (path === '/json') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"a":1,"b":[true]}');
      if (path === '/text') return void res.writeHead(200, { 'content-type': 'text/plain', 'x-peer': 'yes' }).end('hello');
      if (path === '/redirect') return void res.writeHead(302, { location: '/json' }).end();
      if (path === '/see-other') return void res.writeHead(303, { location: '/echo' }).end();
      if (path === '/missing') return void res.writeHead(404).end('nope');
      const echo: Echo = { method: req.method ?? '', url: req.url ?? '', headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString() };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(echo));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

const catchNodes = [{ id: 'c', type: 'catch', z: 't1', scope: null, wires: [['caught']] }, { id: 'caught', type: 'helper', z: 't1', wires: [] }];

describe('http request', () => {
  let peer: Server;
  let base: string;
  before(async () => ({ server: peer, base } = await startPeer()));
  after(() => {
    peer.closeAllConnections();
    peer.close();
  });

  const request = (config: Record<string, unknown>, body: (flow: TestFlow) => Promise<void>): Promise<void> =>
    withNode(httpRequestNode, { method: 'GET', ret: 'txt', ...config }, body, { extraNodes: catchNodes, extraTypes: [catchNode] });
  const echoOf = async (flow: TestFlow, count = 1): Promise<Echo> => (await flow.waitForMessages(outputId(0), count))[count - 1]!.payload as Echo;

  test('GET with ret obj parses JSON and sets statusCode, headers and responseUrl', async () => {
    await request({ url: `${base}/json`, ret: 'obj' }, async (flow) => {
      flow.receive('n', { payload: 'ignored', topic: 't' });
      const [msg] = await flow.waitForMessages(outputId(0), 1);
      assert.deepEqual(msg!.payload, { a: 1, b: [true] });
      assert.equal(msg!.statusCode, 200);
      assert.equal((msg!.headers as Record<string, string>)['content-type'], 'application/json');
      assert.equal(msg!.responseUrl, `${base}/json`);
      assert.equal(msg!.topic, 't');
    });
  });

  test('POST sends an object as JSON with the configured and msg headers', async () => {
    const headers = [{ keyType: 'other', keyValue: 'X-Fixed', valueType: 'other', valueValue: 'one' }, { keyType: 'X-From-Msg', valueType: 'msg', valueValue: 'topic' }];
    await request({ url: `${base}/echo`, method: 'POST', ret: 'obj', headers }, async (flow) => {
      flow.receive('n', { payload: { temp: 21.5 }, topic: 'line-1', headers: { 'X-Extra': 'e' } });
      const echo = await echoOf(flow);
      assert.equal(echo.method, 'POST');
      assert.equal(echo.body, '{"temp":21.5}');
      assert.equal(echo.headers['content-type'], 'application/json');
      assert.deepEqual([echo.headers['x-fixed'], echo.headers['x-from-msg'], echo.headers['x-extra']], ['one', 'line-1', 'e']);
    });
  });

  test('GET: paytoqs query appends the payload, paytoqs body sends it, ignore drops it', async () => {
    await request({ url: `${base}/echo?x=0`, ret: 'obj', paytoqs: 'query' }, async (flow) => {
      flow.receive('n', { payload: { a: 1, list: ['p', 'q'] } });
      assert.equal((await echoOf(flow)).url, '/echo?x=0&a=1&list=p&list=q');
    });
    await request({ url: `${base}/echo`, ret: 'obj', paytoqs: 'body' }, async (flow) => {
      flow.receive('n', { payload: 'raw text' });
      const echo = await echoOf(flow);
      assert.deepEqual([echo.method, echo.body], ['GET', 'raw text']);
    });
    await request({ url: `${base}/echo`, ret: 'obj' }, async (flow) => {
      flow.receive('n', { payload: 'dropped' });
      assert.equal((await echoOf(flow)).body, '');
    });
  });

  test('mustache URL, msg.url when the node has none, and method "use"', async () => {
    await request({ url: `${base}/{{{topic}}}?id={{payload}}`, ret: 'obj' }, async (flow) => {
      flow.receive('n', { topic: 'echo', payload: 'a b' });
      assert.equal((await echoOf(flow)).url, '/echo?id=a%20b');
    });
    await request({ url: '', method: 'use', ret: 'obj' }, async (flow) => {
      flow.receive('n', { url: `${base}/echo`, method: 'delete' });
      assert.equal((await echoOf(flow)).method, 'DELETE');
    });
  });

  test('redirects are followed (303 turns into GET) and listed', async () => {
    await request({ url: `${base}/redirect`, ret: 'obj' }, async (flow) => {
      flow.receive('n', {});
      const [msg] = await flow.waitForMessages(outputId(0), 1);
      assert.deepEqual(msg!.payload, { a: 1, b: [true] });
      assert.deepEqual(msg!.redirectList, [{ location: `${base}/json` }]);
      assert.equal(msg!.responseUrl, `${base}/json`);
    });
    await request({ url: `${base}/see-other`, method: 'POST', ret: 'obj' }, async (flow) => {
      flow.receive('n', { payload: 'x' });
      const echo = await echoOf(flow);
      assert.deepEqual([echo.method, echo.body], ['GET', '']);
    });
  });

  test('a 404 is a normal response; with senderr it goes only to catch nodes', async () => {
    await request({ url: `${base}/missing` }, async (flow) => {
      flow.receive('n', {});
      const [msg] = await flow.waitForMessages(outputId(0), 1);
      assert.deepEqual([msg!.statusCode, msg!.payload], [404, 'nope']);
    });
    await request({ url: `${base}/missing`, senderr: true }, async (flow) => {
      flow.receive('n', { payload: 'p' });
      const [caught] = await flow.waitForMessages('caught', 1);
      assert.match((caught!.error as { message: string }).message, /http request n: GET http:\/\/127\.0\.0\.1:\d+\/missing answered 404 Not Found/);
      assert.equal(flow.messagesAt(outputId(0)).length, 0);
    });
  });

  test('an endpoint that hangs times out: error to catch, and (without senderr) the message goes on', async () => {
    await request({ url: `${base}/hang`, timeout: '100' }, async (flow) => {
      flow.receive('n', { payload: 'p' });
      const [caught] = await flow.waitForMessages('caught', 1);
      assert.match((caught!.error as { message: string }).message, /http request n: GET http:\/\/127\.0\.0\.1:\d+\/hang failed: no response within 100 ms/);
      const [msg] = await flow.waitForMessages(outputId(0), 1);
      assert.equal(msg!.statusCode, 'ETIMEDOUT');
      assert.equal(flow.statuses('n').at(-1)?.text, 'no response');
    });
    await request({ url: `${base}/hang`, senderr: true }, async (flow) => {
      flow.receive('n', { payload: 'p', requestTimeout: 50 });
      await flow.waitForMessages('caught', 1);
      assert.equal(flow.messagesAt(outputId(0)).length, 0);
    });
  });

  test('a refused connection names the URL and the cause', async () => {
    const closed = await startPeer();
    await new Promise((resolve) => closed.server.close(resolve));
    await request({ url: `${closed.base}/x`, senderr: true }, async (flow) => {
      flow.receive('n', {});
      const [caught] = await flow.waitForMessages('caught', 1);
      assert.match((caught!.error as { message: string }).message, /GET http:\/\/127\.0\.0\.1:\d+\/x failed: connect ECONNREFUSED/);
    });
  });

  test('basic and bearer authentication use the node credentials', async () => {
    for (const [authType, expected] of [['basic', `Basic ${Buffer.from('ann:s3cret').toString('base64')}`], ['bearer', 'Bearer s3cret']] as const) {
      const flow = await startTestFlow(nodeUnderTestFlow('http request', { url: `${base}/echo`, ret: 'obj', authType }, 1), {
        nodeTypes: [httpRequestNode],
        credentials: { get: (id): Record<string, string> => (id === 'n' ? { user: 'ann', password: 's3cret' } : {}) },
      });
      try {
        flow.receive('n', {});
        assert.equal((await echoOf(flow)).headers.authorization, expected);
      } finally {
        await flow.stop();
      }
    }
  });

  test('ret bin gives a Buffer; ret obj with text warns and keeps the text; response headers are not sent back', async () => {
    await request({ url: '', ret: 'bin' }, async (flow) => {
      flow.receive('n', { url: `${base}/text` });
      const [msg] = await flow.waitForMessages(outputId(0), 1);
      assert.deepEqual(msg!.payload, Buffer.from('hello'));
      // The same message on to another request: the peer's x-peer header must not go back.
      flow.receive('n', { ...msg!, url: `${base}/echo` });
      const [, second] = await flow.waitForMessages(outputId(0), 2);
      assert.equal((JSON.parse((second!.payload as Buffer).toString()) as Echo).headers['x-peer'], undefined);
    });
    await request({ url: `${base}/text`, ret: 'obj' }, async (flow) => {
      flow.receive('n', {});
      assert.equal((await flow.waitForMessages(outputId(0), 1))[0]!.payload, 'hello');
      assert.match(flow.warnings.map((w) => w.message).join(), /JSON parse error/);
    });
  });
});
