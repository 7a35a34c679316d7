import { test } from 'node:test';
import assert from 'node:assert/strict';
import { routeOfHash, visibleRoutes } from './routes.js';

test('hash routes: known paths as is, query ignored, anything else is the Flows page', () => {
  assert.equal(routeOfHash('#/admin/users'), '/admin/users');
  assert.equal(routeOfHash('#/admin/audit?page=2'), '/admin/audit');
  assert.equal(routeOfHash(''), '/flows');
  assert.equal(routeOfHash('#/nope'), '/flows');
});

test('a viewer sees Flows, Alerts and Account only; an admin sees every admin page', () => {
  assert.deepEqual(visibleRoutes(['flows:read', 'self']).map((r) => r.label), ['Flows', 'Alerts', 'Account']);
  const adminLabels = visibleRoutes(['users:read', 'users:write', 'security:write', 'certificates:write', 'settings:read', 'flows:read', 'flows:write', 'audit:read', 'tokens:write', 'self']).map((r) => r.label);
  for (const label of ['Users', 'API tokens', 'Signing keys', 'Certificates', 'Audit log', 'Settings']) assert.ok(adminLabels.includes(label), label);
});
