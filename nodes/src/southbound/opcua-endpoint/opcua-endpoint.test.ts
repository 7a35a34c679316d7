import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startTestFlow, type TestFlowOptions } from '@loopedge/runtime';
import type { FlowDocument } from '@loopedge/flows';
import { opcuaNodes } from '../../registry/opcua-nodes.js';
import { PLC_NODES, startTestPlc, tempDir, waitUntil, type TestPlc } from '../opcua-shared/test-plc.js';

describe('opcua-endpoint', () => {
  const dir = tempDir('loopedge-opcua-endpoint-');
  let plc: TestPlc;
  before(async () => {
    plc = await startTestPlc({ pkiDir: dir.path, users: { operator: 's3cret' } });
  });
  after(async () => {
    await plc.stop();
    dir.remove();
  });

  function flow(endpoint: Record<string, unknown>): FlowDocument {
    return [
      { id: 't1', type: 'tab', label: 'PLC' },
      { id: 'ep', type: 'opcua-endpoint', endpointUrl: plc.endpointUrl, ...endpoint },
      { id: 'r1', type: 'opcua-read', z: 't1', endpoint: 'ep', nodeIds: [PLC_NODES.counter], wires: [['h1']] },
      { id: 'h1', type: 'helper', z: 't1', wires: [] },
    ] as FlowDocument;
  }

  function options(user?: string, password?: string): TestFlowOptions {
    return {
      nodeTypes: opcuaNodes,
      settings: { opcuaPkiDir: join(dir.path, 'client') },
      credentials: { get: (id): Readonly<Record<string, string>> => (id === 'ep' && user !== undefined ? { user, password: password ?? '' } : {}) },
    };
  }

  const secure = { securityMode: 'SignAndEncrypt', securityPolicy: 'Basic256Sha256', authentication: 'username' };

  test('an untrusted server certificate is refused before any login, naming the thumbprint to add', async () => {
    const wrong = 'ab'.repeat(32);
    const f = await startTestFlow(flow({ ...secure, trustedServerCertificates: [wrong] }), options('operator', 's3cret'));
    try {
      await waitUntil(() => f.statuses('r1').some((s) => s.text?.startsWith('untrusted certificate') === true), 15_000, 'an untrusted status');
      const error = f.errors.find((e) => e.nodeId === 'ep');
      assert.ok(error, 'the endpoint reports an error');
      assert.match(error.message, new RegExp(`add "${plc.thumbprints.sha256}" to trustedServerCertificates`));
      assert.deepEqual(plc.loginAttempts, [], 'the password was never sent');
      f.receive('r1', { payload: 1 });
      await waitUntil(() => f.errors.some((e) => e.nodeId === 'r1'), 5000, 'the read error');
      assert.match(f.errors.find((e) => e.nodeId === 'r1')?.message ?? '', /not connected, state untrusted/);
    } finally {
      await f.stop();
    }
  });

  test('SignAndEncrypt with user and password reads once the thumbprint is trusted', async () => {
    const f = await startTestFlow(flow({ ...secure, trustedServerCertificates: [plc.thumbprints.sha256] }), options('operator', 's3cret'));
    try {
      await waitUntil(() => f.statuses('r1').some((s) => s.text === 'connected'), 15_000, 'connected');
      f.receive('r1', {});
      const [msg] = await f.waitForMessages('h1', 1, 5000);
      assert.equal(typeof msg?.payload, 'number');
      assert.ok(plc.loginAttempts.includes('operator'));
      assert.deepEqual(f.errors, []);
    } finally {
      await f.stop();
    }
  });

  test('a wrong password shows as disconnected with the reason and is retried', async () => {
    const f = await startTestFlow(flow({ ...secure, trustedServerCertificates: [plc.thumbprints.sha256] }), options('operator', 'wrong'));
    try {
      await waitUntil(() => f.statuses('r1').some((s) => s.fill === 'red' && /disconnected: BadUserAccessDenied/.test(s.text ?? '')), 15_000, 'a disconnected status');
      assert.ok(f.warnings.some((w) => w.nodeId === 'ep' && /login refused.*check the user and password.*retrying in \d+ ms/.test(w.message)));
    } finally {
      await f.stop();
    }
  });

  test('inconsistent security settings or a missing user fail the deploy', async () => {
    await assert.rejects(startTestFlow(flow({ securityMode: 'Sign', securityPolicy: 'None' }), options()), /ep.*securityMode Sign needs a securityPolicy other than None/s);
    await assert.rejects(startTestFlow(flow({ authentication: 'username' }), options()), /ep.*credentials hold no user/s);
    await assert.rejects(startTestFlow(flow({ securityMode: 'Encrypt' }), options()), /ep/);
  });
});
