import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlowDocument } from '@loopedge/flows';
import { coreNodeTypes } from '@loopedge/nodes';
import { Runtime, silentLogger } from '@loopedge/runtime';
import { generateFlowSigningKeyPair, loadFlowSigningKey, openTestSecurity, signFlowSet } from '@loopedge/security';
import { openFlowStore } from './flow-store.js';

// With signed flows required, only a verified deploy changes what runs: a flow
// file edited on disk (or another --flows file) is not started; the last signed
// version runs, the file found is kept aside for whoever investigates.

const SIGNED: FlowDocument = [
  { id: 'tab1', type: 'tab', label: 'Press 7' },
  { id: 'show', type: 'debug', z: 'tab1', name: 'signed', x: 100, y: 60, wires: [] },
];
const TAMPERED: FlowDocument = [
  { id: 'tab1', type: 'tab', label: 'Press 7' },
  { id: 'show', type: 'debug', z: 'tab1', name: 'edited on disk', x: 100, y: 60, wires: [] },
];

test('a flow file that is not the last signed version does not run when signed flows are required', async () => {
  const t = await openTestSecurity();
  const folder = mkdtempSync(join(tmpdir(), 'loopedge-flowfile-'));
  const flowFile = join(folder, 'flows.json');
  writeFileSync(flowFile, JSON.stringify(SIGNED));
  const runtimes: Runtime[] = [];
  const open = async (): Promise<Awaited<ReturnType<typeof openFlowStore>>> => {
    const runtime = new Runtime({ nodeTypes: coreNodeTypes, env: {} });
    runtimes.push(runtime);
    return openFlowStore({ runtime, flowFile, dataDir: t.dataDir, trustedKeys: t.security.trustedKeys, logger: silentLogger });
  };
  try {
    // First start: the file becomes version 1; a key is trusted (policy on); a signed deploy makes version 2.
    const first = await open();
    assert.equal(first.startFlows, undefined, 'nothing to refuse on first start');
    await runtimes[0]!.deploy(SIGNED);
    const pair = await generateFlowSigningKeyPair();
    t.security.trustedKeys.add({ name: 'ci', purpose: 'flows', owner: 'build', publicKeyPem: pair.publicKeyPem }, 'test');
    const signing = first.store.signing!;
    assert.equal(signing.required, true);
    const next: FlowDocument = [...SIGNED, { id: 'c1', type: 'comment', z: 'tab1', name: 'v2', x: 100, y: 120, wires: [] }];
    const signature = await signFlowSet(next, { target: signing.target, version: signing.version + 1, prev: signing.hash }, await loadFlowSigningKey(pair.privateKeyPem));
    const deployed = await first.store.deploy(next, first.store.rev, 'full', { signature });
    assert.equal(deployed.ok, true);
    first.store.close();

    // Someone edits the file on disk; the next start refuses it.
    writeFileSync(flowFile, JSON.stringify(TAMPERED));
    const second = await open();
    assert.deepEqual(second.startFlows, next, 'the last signed version runs instead');
    assert.ok(second.refusedFile && existsSync(second.refusedFile), 'the refused file is kept');
    assert.deepEqual(JSON.parse(readFileSync(second.refusedFile, 'utf8')), TAMPERED);
    assert.deepEqual(JSON.parse(readFileSync(flowFile, 'utf8')), next, 'the flow file holds the signed flows again');
    assert.equal(second.store.versioning!.current()!.version, 2, 'no version was recorded for the refused file');
    second.store.close();

    // With the policy turned off (an admin's choice), an edited file is recorded as a new version as before.
    const third = await open();
    third.store.versioning!.setPolicy(false);
    third.store.close();
    writeFileSync(flowFile, JSON.stringify(TAMPERED));
    const fourth = await open();
    assert.equal(fourth.startFlows, undefined);
    assert.equal(fourth.store.versioning!.current()!.version, 3);
    fourth.store.close();
  } finally {
    for (const runtime of runtimes) await runtime.stop();
    t.close();
    rmSync(folder, { recursive: true, force: true });
  }
});
