import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FlowDocument } from '@loopedge/flows';
import { silentLogger } from '@loopedge/runtime';
import { generateFlowSigningKeyPair, loadFlowSigningKey, openTestSecurity, signFlowSet, type FlowSigningKey, type TestSecurity } from '@loopedge/security';
import { loadOrCreateDeviceKey } from '../updates/device-key.js';
import { FlowVersioning } from './flow-versioning.js';

// Who the device is for a signature (id, groups) and the policy default, without HTTP.

const FLOWS: FlowDocument = [{ id: 'tab1', type: 'tab', label: 'Hall A' }];

describe('flow versioning: device target and policy', () => {
  let t: TestSecurity;
  let key: FlowSigningKey;
  let publicKeyPem: string;

  before(async () => {
    t = await openTestSecurity();
    const pair = await generateFlowSigningKeyPair();
    key = await loadFlowSigningKey(pair.privateKeyPem);
    publicKeyPem = pair.publicKeyPem;
  });
  after(() => t.close());

  test('without a deviceId setting the device id is the update key id; groups come from device.json and settings', async () => {
    writeFileSync(join(t.dataDir, 'device.json'), JSON.stringify({ model: 'le-gw-200', groups: ['hall-a'] }));
    const versioning = await FlowVersioning.open({ dataDir: t.dataDir, trustedKeys: t.security.trustedKeys, settings: { deviceGroups: ['line-3', 7] }, logger: silentLogger });
    try {
      assert.equal(versioning.deviceId, (await loadOrCreateDeviceKey(t.dataDir)).keyId);
      assert.deepEqual([...versioning.deviceGroups].sort(), ['hall-a', 'line-3']);
    } finally {
      versioning.close();
    }
  });

  test('a group target is accepted for a group the device is in, refused otherwise; a revoked key keeps the policy on', async () => {
    const versioning = await FlowVersioning.open({ dataDir: t.dataDir, trustedKeys: t.security.trustedKeys, settings: { deviceId: 'press-07', deviceGroups: ['line-3'] }, logger: silentLogger });
    try {
      assert.equal(versioning.deviceId, 'press-07');
      versioning.reconcile(FLOWS);
      assert.equal(versioning.policy.required, false, 'no flows key yet');
      t.security.trustedKeys.add({ name: 'ci', purpose: 'flows', owner: 'build', publicKeyPem }, 'test');
      assert.equal(versioning.policy.required, true);

      const current = versioning.current()!;
      const next: FlowDocument = [...FLOWS, { id: 'n1', type: 'debug', z: 'tab1', wires: [] }];
      const meta = { version: current.version + 1, prev: current.hash };
      const group = await versioning.check(next, await signFlowSet(next, { ...meta, target: 'group:line-3' }, key));
      assert.equal(group.ok, true, group.ok ? '' : group.message);
      const other = await versioning.check(next, await signFlowSet(next, { ...meta, target: 'group:line-4' }, key));
      assert.deepEqual(other.ok ? 'accepted' : other.reason, 'wrong-target');

      t.security.trustedKeys.revoke(key.kid, 'rotated', 'test');
      assert.equal(versioning.policy.required, true, 'revoking the last key does not open unsigned deploys');
      const unsigned = await versioning.check(next, undefined);
      assert.deepEqual(unsigned.ok ? 'accepted' : unsigned.reason, 'missing-signature');
      assert.equal(versioning.setPolicy(false).required, false);
      assert.equal((await versioning.check(next, undefined)).ok, true);
    } finally {
      versioning.close();
    }
  });
});
