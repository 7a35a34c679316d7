import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { RuntimeEventMap } from '@loopedge/runtime';
import { ROLE_PERMISSIONS, ROLES, type Role } from '@loopedge/security';
import { TestAdmin } from '../test-support/test-admin.js';
import type { ApiClient } from '../test-support/api-client.js';
import { connectLive, waitForEvent, type LiveConnection } from '../test-support/live-client.js';
import { LIVE_EVENTS } from '../live/event-table.js';
import type { AnyRoute } from './route-types.js';

// Generated from the route and event tables: a new route or event is covered
// without touching this file. Every route × every role (and no login) must get
// exactly what its row declares: 401 without login, 403 without the
// permission, anything but 401/403 (and never a 5xx) with it. Signed-in callers
// have confirmed their password (step-up); a second pass checks that every
// step-up route refuses a session that has not, with 'reauth-required'.

type Caller = Role | 'anonymous';
const CALLERS: readonly Caller[] = ['anonymous', ...ROLES];

function expectedAccess(route: AnyRoute, caller: Caller): 'public' | 'allowed' | 401 | 403 {
  if (route.permission === 'public') return 'public';
  if (caller === 'anonymous') return 401;
  return ROLE_PERMISSIONS[caller].includes(route.permission) ? 'allowed' : 403;
}

/** A concrete path for a route: parameters get ids that exist nowhere, so nothing real is touched. */
function concretePath(route: AnyRoute): string {
  return route.path.replace(/:([A-Za-z]+)/g, (_m, name: string) => `no-such-${name.toLowerCase()}`);
}

/** Ending a session must come last, or the caller's later requests would be anonymous. */
function ordered(routes: readonly AnyRoute[]): AnyRoute[] {
  return [...routes].sort((a, b) => Number(a.path === '/api/auth/logout') - Number(b.path === '/api/auth/logout'));
}

describe('role matrix', () => {
  let admin: TestAdmin;
  const clients = new Map<Caller, ApiClient>();

  before(async () => {
    admin = await TestAdmin.start();
    clients.set('anonymous', admin.client());
    for (const role of ROLES) clients.set(role, await admin.signedInFresh(role));
  });
  after(() => admin.stop());

  test('every REST route × every role and no login: allowed, 401 or 403 as the route table declares', async () => {
    const routes = ordered(admin.server.admin!.server.routes);
    assert.ok(routes.length >= 40, `the table has ${routes.length} routes`);
    const mismatches: string[] = [];
    for (const route of routes) {
      for (const caller of CALLERS) {
        const client = clients.get(caller)!;
        // Writes get an empty object: where allowed, validation answers 400 and nothing is written.
        const body = route.body ? {} : undefined;
        const response = await client.request(route.method, concretePath(route), body);
        const expected = expectedAccess(route, caller);
        // A public route may still answer 401 about its own credential (the refresh cookie, a setup token).
        const ok =
          expected === 'public' ? response.status !== 403 && response.status < 500
          : expected === 'allowed' ? response.status !== 401 && response.status !== 403 && response.status < 500
          : response.status === expected;
        if (!ok) mismatches.push(`${route.method} ${route.path} as ${caller}: expected ${expected}, got ${response.status} ${response.text.slice(0, 160)}`);
      }
    }
    assert.deepEqual(mismatches, []);
  });

  test('every step-up route refuses a session that has not confirmed its password, for every role allowed to call it', async () => {
    const routes = admin.server.admin!.server.routes.filter((route) => route.stepUp === true);
    assert.ok(routes.length >= 9, `${routes.length} step-up routes`);
    const mismatches: string[] = [];
    for (const role of ROLES) {
      const stale = await admin.signedIn(role);
      for (const route of routes) {
        if (expectedAccess(route, role) !== 'allowed') continue;
        const response = await stale.request<{ error?: { code: string } }>(route.method, concretePath(route), route.body ? {} : undefined);
        if (response.status !== 403 || response.body?.error?.code !== 'reauth-required') {
          mismatches.push(`${route.method} ${route.path} as ${role} (stale): expected 403 reauth-required, got ${response.status} ${response.text.slice(0, 160)}`);
        }
      }
    }
    assert.deepEqual(mismatches, []);
  });

  test('every live event × every role: delivered only to roles with its permission; no login cannot connect', async () => {
    const connections = new Map<Role, LiveConnection>();
    try {
      await assert.rejects(connectLive(admin.client()), /Sign in/);
      for (const role of ROLES) connections.set(role, await connectLive(await admin.signedIn(role)));

      const samples: { [K in keyof RuntimeEventMap]: RuntimeEventMap[K] } = {
        debug: { id: 'd1', z: 'tab1', property: 'payload', value: 42, msgid: 'm1' },
        'node-error': { id: 'n1', z: 'tab1', type: 'change', name: '', message: 'boom', handled: false },
        'node-status': { id: 'n1', z: 'tab1', type: 'change', status: { fill: 'green', shape: 'dot', text: 'ok' } },
        deploy: { revision: '1', type: 'full', ok: true, started: 0, stopped: 0, durationMs: 1 },
        'node-log': { id: 'n1', z: 'tab1', type: 'change', name: '', level: 'warn', message: 'careful' },
      };
      const events = admin.server.runtime.events;
      for (const definition of LIVE_EVENTS) events.emit(definition.source, samples[definition.source] as never);
      // A marker every role may see (the whole room of connected sockets): events on
      // one socket arrive in order, so once it is in, everything sent before it is too.
      admin.server.admin!.server.live.io.emit('test-marker', {});
      for (const [role, connection] of connections) {
        await waitForEvent(connection, `the marker at ${role}`, (r) => r.event === 'test-marker');
        for (const definition of LIVE_EVENTS) {
          const got = connection.received.some((r) => r.event === definition.event && JSON.stringify(r.payload) === JSON.stringify(samples[definition.source]));
          assert.equal(got, ROLE_PERMISSIONS[role].includes(definition.permission), `${definition.event} to ${role}`);
        }
      }
    } finally {
      for (const connection of connections.values()) connection.close();
    }
  });
});
