import { test } from 'node:test';
import assert from 'node:assert/strict';
import { can, PERMISSIONS, ROLE_PERMISSIONS, ROLES } from './roles.js';

test('admin has every permission; each lower role has a subset of the one above', () => {
  assert.deepEqual([...ROLE_PERMISSIONS.admin].sort(), [...PERMISSIONS].sort());
  for (let i = 1; i < ROLES.length; i++) {
    const above = ROLE_PERMISSIONS[ROLES[i - 1]!];
    for (const permission of ROLE_PERMISSIONS[ROLES[i]!]) assert.ok(above.includes(permission), `${ROLES[i]} has ${permission} but ${ROLES[i - 1]} does not`);
  }
});

test('the issue\'s division of work', () => {
  for (const p of ['users:write', 'certificates:write', 'security:write', 'audit:read'] as const) {
    assert.deepEqual(ROLES.filter((r) => can(r, p)), ['admin'], p);
  }
  assert.deepEqual(ROLES.filter((r) => can(r, 'flows:write')), ['admin', 'editor']);
  assert.deepEqual(ROLES.filter((r) => can(r, 'alerts:ack')), ['admin', 'editor', 'operator']);
  assert.deepEqual(ROLES.filter((r) => can(r, 'debug:read')), ['admin', 'editor', 'operator']);
  assert.deepEqual(ROLES.filter((r) => can(r, 'flows:read')), ['admin', 'editor', 'operator', 'viewer']);
  assert.deepEqual(ROLE_PERMISSIONS.viewer, ['flows:read', 'self']);
  assert.equal(can('viewer' , 'nonsense' as never), false);
});

test('the table cannot be changed at run time', () => {
  assert.throws(() => (ROLE_PERMISSIONS.viewer as string[]).push('users:write'));
});
