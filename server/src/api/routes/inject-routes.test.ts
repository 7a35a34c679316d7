import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowDocument } from '@loopedge/flows';
import type { RuntimeEventMap } from '@loopedge/runtime';
import { TestAdmin } from '../../test-support/test-admin.js';

const flows: FlowDocument = [
  { id: 'tab1', type: 'tab', label: 'Line 3' },
  { id: 'button', type: 'inject', z: 'tab1', props: [{ p: 'payload', v: '42', vt: 'num' }, { p: 'topic', v: 'pressed', vt: 'str' }], repeat: '', crontab: '', once: false, wires: [['show']] },
  { id: 'show', type: 'debug', z: 'tab1', active: true, tosidebar: true, console: false, complete: 'true', targetType: 'full', wires: [] },
];

describe('POST /api/nodes/:id/inject (the inject button)', () => {
  let admin: TestAdmin;
  before(async () => {
    admin = await TestAdmin.start({ flows });
  });
  after(() => admin.stop());

  test('an editor fires a deployed inject node once; the message has its properties', async () => {
    const editor = await admin.signedIn('editor');
    const seen: Array<RuntimeEventMap['debug']> = [];
    const stop = admin.server.runtime.events.on('debug', (event) => seen.push(event));
    try {
      const answer = await editor.post<{ injected: string }>('/api/nodes/button/inject');
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(answer.body, { injected: 'button' });
      for (let i = 0; i < 100 && seen.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.equal(seen.length, 1);
      assert.deepEqual({ ...(seen[0]!.value as Record<string, unknown>), _msgid: 'x' }, { payload: 42, topic: 'pressed', _msgid: 'x' });
    } finally {
      stop();
    }
  });

  test('404 for a node that is not an inject node or not deployed; 403 for a viewer', async () => {
    const editor = await admin.signedIn('editor');
    const notInject = await editor.post<{ error: { message: string } }>('/api/nodes/show/inject');
    assert.equal(notInject.status, 404);
    assert.match(notInject.body.error.message, /debug node, not an inject node/);
    assert.equal((await editor.post('/api/nodes/nowhere/inject')).status, 404);
    const viewer = await admin.signedIn('viewer');
    assert.equal((await viewer.post('/api/nodes/button/inject')).status, 403);
  });
});
