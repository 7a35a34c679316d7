import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OPCUAServer } from 'node-opcua-server';
import { OPCUACertificateManager } from 'node-opcua-certificate-manager';
import { startTestFlow, type TestFlow } from '@loopedge/runtime';
import type { FlowDocument } from '@loopedge/flows';
import { coreNodeTypes } from '@loopedge/nodes';
import { ApiError } from '../errors.js';
import type { ApiServices, RouteContext } from '../route-types.js';
import { opcuaRoutes } from './opcua-routes.js';

// The route's permission and 401/403 answers are covered by the generated role
// matrix; here its handler runs against a real runtime and a real OPC UA server.
describe('GET /api/opcua/:configNodeId/browse', () => {
  const dir = mkdtempSync(join(tmpdir(), 'loopedge-opcua-route-'));
  let server: OPCUAServer;
  let flow: TestFlow;
  const route = opcuaRoutes[0]!;

  function browse(configNodeId: string, nodeId?: string): Promise<unknown> {
    const context = { params: { configNodeId }, query: nodeId ? { nodeId } : {}, services: { runtime: flow.runtime } as ApiServices };
    return Promise.resolve(route.handler(context as unknown as RouteContext<unknown, unknown, unknown>));
  }

  before(async () => {
    server = new OPCUAServer({
      host: '127.0.0.1',
      hostname: '127.0.0.1',
      port: 0,
      serverCertificateManager: new OPCUACertificateManager({ rootFolder: join(dir, 'server'), automaticallyAcceptUnknownCertificate: true }),
    });
    await server.initialize();
    const addressSpace = server.engine.addressSpace!;
    const namespace = addressSpace.getOwnNamespace();
    const plc = namespace.addObject({ organizedBy: addressSpace.rootFolder.objects, browseName: 'PLC', nodeId: 'ns=1;s=PLC' });
    namespace.addVariable({ componentOf: plc, browseName: 'Counter', nodeId: 'ns=1;s=Counter', dataType: 'Int32' });
    await server.start();
    const trusted = server.getCertificate();
    const { createHash } = await import('node:crypto');
    const doc = [
      { id: 't1', type: 'tab', label: 'PLC' },
      { id: 'ep', type: 'opcua-endpoint', endpointUrl: server.getEndpointUrl(), trustedServerCertificates: [createHash('sha256').update(trusted).digest('hex')] },
      { id: 'down', type: 'opcua-endpoint', endpointUrl: 'opc.tcp://127.0.0.1:1' },
      { id: 'r1', type: 'opcua-read', z: 't1', endpoint: 'ep', wires: [] },
    ] as FlowDocument;
    flow = await startTestFlow(doc, { nodeTypes: coreNodeTypes, settings: { opcuaPkiDir: join(dir, 'client') } });
    const deadline = Date.now() + 15_000;
    while (!flow.statuses('r1').some((s) => s.text === 'connected')) {
      if (Date.now() > deadline) throw new Error(`opcua-endpoint did not connect: ${JSON.stringify(flow.statuses('r1'))}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  });
  after(async () => {
    await flow.stop();
    await server.shutdown(0);
    rmSync(dir, { recursive: true, force: true });
  });

  test('lists the Objects folder by default, then a child', async () => {
    const top = (await browse('ep')) as { body: { nodeId: string; references: Array<{ nodeId: string; browseName: string; nodeClass: string }> } };
    assert.equal(top.body.nodeId, 'i=85');
    const plc = top.body.references.find((r) => r.browseName === '1:PLC');
    assert.ok(plc, `PLC is among ${top.body.references.map((r) => r.browseName).join(', ')}`);
    assert.equal(plc.nodeClass, 'Object');
    const children = (await browse('ep', plc.nodeId)) as { body: { references: Array<{ nodeId: string; displayName: string }> } };
    assert.deepEqual(children.body.references.map((r) => [r.nodeId, r.displayName]), [['ns=1;s=Counter', 'Counter']]);
  });

  test('answers 404 for an id that is no opcua-endpoint, 503 while disconnected, 400 for a bad NodeId', async () => {
    await assert.rejects(browse('r1'), (e: unknown) => e instanceof ApiError && e.status === 404 && /No deployed opcua-endpoint node "r1"/.test(e.message));
    await assert.rejects(browse('nothing'), (e: unknown) => e instanceof ApiError && e.status === 404);
    await assert.rejects(browse('down'), (e: unknown) => e instanceof ApiError && e.status === 503 && /opcua-endpoint down is (connecting|disconnected)/.test(e.message));
    await assert.rejects(browse('ep', 'ns=1;s=Missing'), (e: unknown) => e instanceof ApiError && e.status === 400 && /BadNodeIdUnknown/.test(e.message));
  });
});
