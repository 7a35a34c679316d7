import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flowEnvironment } from './flow-environment.js';

test('flows see site variables but never the credential key', () => {
  const visible = flowEnvironment({ PLANT: 'line-3', LOOPEDGE_CREDENTIAL_KEY: 'c2VjcmV0', PATH: '/usr/bin' });
  assert.deepEqual(visible, { PLANT: 'line-3', PATH: '/usr/bin' });
});
