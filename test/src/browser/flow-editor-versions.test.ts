import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { browserUnavailable, startBrowserHarness, type BrowserHarness } from './harness/index.js';
import { canvasNode, dragFromPalette, eventually } from './flow-editor-kit.js';

type Item = Record<string, unknown>;
interface VersionsAnswer {
  current: number;
  versions: Array<{ version: number; type: string; rollbackOf?: number; signed: boolean; signer?: { kid: string; name: string } }>;
}

const TAB = { id: 'vtab', type: 'tab', label: 'Packing line', disabled: false, info: '', env: [] };
const INJECT = { id: 'vinject', type: 'inject', z: 'vtab', name: 'count boxes', props: [{ p: 'payload' }], repeat: '', crontab: '', once: false, onceDelay: 0.1, topic: 'line-a', payload: '', payloadType: 'date', x: 140, y: 80, wires: [['vdebug']] };
const DEBUG = { id: 'vdebug', type: 'debug', z: 'vtab', name: 'boxes', active: true, tosidebar: true, console: false, tostatus: false, complete: 'payload', targetType: 'msg', statusVal: '', statusType: 'auto', x: 360, y: 80, wires: [] };
const FIRST: Item[] = [TAB, INJECT, DEBUG];
// The second deploy changes the inject's topic and adds a comment.
const SECOND: Item[] = [TAB, { ...INJECT, topic: 'line-b' }, DEBUG, { id: 'vnote', type: 'comment', z: 'vtab', name: 'added in v2', info: '', x: 140, y: 160, wires: [] }];

async function openVersions(page: Page) {
  await page.getByRole('button', { name: 'Versions', exact: true }).click();
  const panel = page.getByRole('complementary', { name: 'Flow versions' });
  await panel.getByRole('table', { name: 'Deployed versions' }).waitFor();
  return panel;
}

describe('flow versions in the editor', { skip: browserUnavailable() }, () => {
  let harness: BrowserHarness;
  let first = 0;
  let second = 0;
  before(async () => {
    harness = await startBrowserHarness({ testFile: import.meta.url, flows: [{ id: 'vtab', type: 'tab', label: 'Packing line' }] });
    // Two deploys through the API, as a pipeline or another editor would make them.
    const client = await harness.admin.signedIn('admin');
    for (const flows of [FIRST, SECOND]) {
      const rev = (await client.get<{ rev: string }>('/api/flows')).body.rev;
      const deployed = await client.post<{ version?: number }>('/api/flows', { flows, rev, type: 'full' });
      assert.equal(deployed.status, 200, JSON.stringify(deployed.body));
      if (flows === FIRST) first = deployed.body.version ?? 0;
      else second = deployed.body.version ?? 0;
    }
    assert.ok(first > 0 && second === first + 1, `the deploys made versions ${first} and ${second}`);
  });
  after(async () => {
    await harness?.stop();
  });

  test('list, diff two versions, roll back (warned about undeployed edits); the canvas shows the old flows', async () => {
    const page = await harness.openEditor('editor');
    await canvasNode(page, 'vnote').waitFor();
    // An undeployed edit: the rollback must warn that it will be lost.
    const unsaved = await dragFromPalette(page, 'comment', { x: 500, y: 300 });
    const panel = await openVersions(page);
    await panel.locator(`tr[data-version="${second}"]`).filter({ hasText: '(running)' }).waitFor();
    assert.match(await panel.locator(`tr[data-version="${second}"]`).innerText(), /\+1 ~1 -0/, 'the summary counts one added and one changed node');

    await panel.getByLabel(`Compare version ${first}`).check();
    await panel.getByLabel(`Compare version ${second}`).check();
    const diff = panel.getByRole('region', { name: `Changes from version ${first} to version ${second}` });
    await diff.waitFor();
    const changed = diff.locator('[data-diff-node="vinject"]');
    assert.match(await changed.innerText(), /inject "count boxes" \(vinject\) on Packing line[\s\S]*topic: "line-a" → "line-b"/);
    assert.match(await diff.getByRole('list', { name: 'Added' }).innerText(), /comment "added in v2" \(vnote\)/);
    await harness.screenshot('1-diff', page);

    await panel.getByRole('button', { name: `Roll back to version ${first}` }).click();
    const dialog = page.getByRole('dialog', { name: `Roll back to version ${first}?` });
    await dialog.waitFor();
    const dialogText = await dialog.innerText();
    assert.match(dialogText, /0 added, 1 changed, 1 removed/);
    assert.match(dialogText, /topic: "line-b" → "line-a"/);
    assert.match(dialogText, /comment "added in v2"/);
    assert.match(await dialog.getByRole('alert').innerText(), /1 undeployed change/);
    await harness.screenshot('2-rollback-confirm', page);
    await dialog.getByRole('button', { name: `Roll back to version ${first}` }).click();
    await page.getByTestId('deploy-message').filter({ hasText: `Rolled back to version ${first}` }).waitFor();

    // The canvas reloaded what runs now: the old flows, without the comment of v2 or the undeployed one.
    await eventually('the v2 comment leaves the canvas', async () => (await canvasNode(page, 'vnote').count()) === 0);
    assert.equal(await canvasNode(page, unsaved).count(), 0, 'the undeployed edit was dropped, as the dialog warned');
    await canvasNode(page, 'vinject').waitFor();
    assert.equal(await page.getByText('Someone else deployed').count(), 0, 'the rollback is not announced as someone else\'s deploy');
    await panel.locator(`tr[data-version="${second + 1}"]`).filter({ hasText: '(running)' }).waitFor();
    await harness.screenshot('3-rolled-back', page);

    const client = await harness.admin.signedIn('admin');
    const versions = (await client.get<VersionsAnswer>('/api/flow-versions')).body;
    assert.equal(versions.current, second + 1);
    assert.deepEqual({ type: versions.versions[0]!.type, rollbackOf: versions.versions[0]!.rollbackOf }, { type: 'rollback', rollbackOf: first });
    const running = (await client.get<{ flows: Item[] }>('/api/flows')).body.flows;
    assert.equal(running.find((item) => item['id'] === 'vinject')!['topic'], 'line-a');
    assert.equal(running.some((item) => item['id'] === 'vnote'), false);
  });

  test('a viewer sees the list and diffs but cannot roll back', async () => {
    const page = await harness.openEditor('viewer');
    const panel = await openVersions(page);
    await panel.locator(`tr[data-version="${first}"]`).waitFor();
    await panel.getByLabel(`Compare version ${first}`).check();
    await panel.getByLabel(`Compare version ${second}`).check();
    await panel.getByRole('region', { name: `Changes from version ${first} to version ${second}` }).locator('[data-diff-node="vinject"]').waitFor();
    assert.equal(await panel.getByRole('button', { name: /^Roll back to version/ }).count(), 0);
  });

  test('with signed flows required, the rollback is signed with the browser key', async () => {
    // The editor's browser makes a key; an admin approves it; from then on every deploy must be signed.
    const editor = await harness.user('editor');
    const editorPage = await harness.openEditor('editor', '/#/admin/signing-keys');
    await editorPage.getByRole('button', { name: 'Generate key and request approval' }).click();
    const state = editorPage.getByTestId('browser-key-state');
    await state.filter({ hasText: 'pending' }).waitFor();
    const kid = (await state.locator('code.kid').textContent())!.trim();
    const adminPage = await harness.openEditor('admin', '/#/admin/signing-keys');
    await adminPage.getByRole('button', { name: `Approve ${editor.username} (browser)` }).click();
    // Trusting a key is a step-up action: the admin confirms the password in the dialog.
    const confirm = adminPage.getByRole('dialog', { name: "Confirm it's you" });
    await confirm.getByLabel('Password').fill((await harness.user('admin')).password);
    await confirm.getByRole('button', { name: 'Confirm' }).click();
    await adminPage.getByRole('table', { name: 'Flow-signing keys' }).getByRole('row').filter({ hasText: kid }).filter({ hasText: 'trusted' }).waitFor();
    const client = await harness.admin.signedIn('admin');
    assert.equal((await client.get<{ signing?: { required: boolean } }>('/api/flows')).body.signing?.required, true);

    await editorPage.goto('/#/flows');
    await canvasNode(editorPage, 'vinject').waitFor();
    const panel = await openVersions(editorPage);
    await panel.getByRole('button', { name: `Roll back to version ${second}` }).click();
    const dialog = editorPage.getByRole('dialog', { name: `Roll back to version ${second}?` });
    assert.match(await dialog.innerText(), /signed with this browser/);
    await dialog.getByRole('button', { name: `Roll back to version ${second}` }).click();
    await editorPage.getByTestId('deploy-message').filter({ hasText: `Rolled back to version ${second}` }).waitFor();
    await canvasNode(editorPage, 'vnote').waitFor();
    await harness.screenshot('4-signed-rollback', editorPage);

    const newest = (await client.get<VersionsAnswer>('/api/flow-versions')).body.versions[0]!;
    assert.deepEqual({ type: newest.type, rollbackOf: newest.rollbackOf, signed: newest.signed, kid: newest.signer?.kid }, { type: 'rollback', rollbackOf: second, signed: true, kid });
  });
});
