import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { browserUnavailable, startBrowserHarness, type BrowserHarness } from './harness/index.js';

interface SigningState {
  required: boolean;
  version: number;
  hash: string | null;
}

// Issue 5/6 journey: an editor's browser makes its own key → pending → an admin approves → the editor's deploys are signed.
describe('signing keys in the browser', { skip: browserUnavailable() }, () => {
  let harness: BrowserHarness;
  before(async () => {
    harness = await startBrowserHarness({ testFile: import.meta.url, flows: [{ id: 'tab1', type: 'tab', label: 'Flow 1' }] });
  });
  after(async () => {
    await harness?.stop();
  });

  test('generate key → pending → admin approves → approved; the next deploy from the editor is signed by it', async () => {
    const editor = await harness.user('editor');
    const keyName = `${editor.username} (browser)`;
    const editorPage = await harness.openEditor('editor', '/#/admin/signing-keys');
    await editorPage.getByRole('heading', { name: "This browser's signing key" }).waitFor();
    await editorPage.getByText(/This browser has no signing key/).waitFor();
    await editorPage.getByRole('button', { name: 'Generate key and request approval' }).click();
    const state = editorPage.getByTestId('browser-key-state');
    await state.filter({ hasText: 'pending' }).waitFor();
    const kid = (await state.locator('code.kid').textContent())!.trim();
    assert.match(kid, /^[A-Za-z0-9_-]{43}$/, 'the kid is a base64url SHA-256 thumbprint');
    // An editor may not approve their own key: no Approve button.
    assert.equal(await editorPage.getByRole('button', { name: `Approve ${keyName}` }).count(), 0);
    await harness.screenshot('01-editor-key-pending', editorPage);

    const adminPage = await harness.openEditor('admin', '/#/admin/signing-keys');
    await adminPage.getByRole('button', { name: `Approve ${keyName}` }).click();
    // Trusting a key is a step-up action: a signed-in session alone is not enough.
    const confirm = adminPage.getByRole('dialog', { name: "Confirm it's you" });
    await confirm.waitFor();
    assert.match((await confirm.textContent()) ?? '', /Confirm your password/);
    await confirm.getByLabel('Password').fill((await harness.user('admin')).password);
    await harness.screenshot('02a-admin-confirms-password', adminPage);
    await confirm.getByRole('button', { name: 'Confirm' }).click();
    await confirm.waitFor({ state: 'detached' });
    const table = adminPage.getByRole('table', { name: 'Flow-signing keys' });
    await table.getByRole('row').filter({ hasText: kid }).filter({ hasText: 'trusted' }).waitFor();
    await harness.screenshot('02-admin-approved', adminPage);

    await editorPage.reload();
    await state.filter({ hasText: 'approved' }).waitFor();
    await harness.screenshot('03-editor-key-approved', editorPage);

    // With a trusted key the device requires signed deploys by default; the editor signs with the key in IndexedDB.
    const before = (await (await editorPage.context().request.get('/api/flows')).json()) as { signing?: SigningState };
    assert.equal(before.signing?.required, true, 'signed deploys are required once a flows key is trusted');
    await editorPage.goto('/#/flows');
    const deploy = editorPage.getByRole('button', { name: 'Deploy', exact: true });
    await deploy.waitFor();
    await deploy.click();
    await editorPage.getByTestId('deploy-message').waitFor();
    await harness.screenshot('04-signed-deploy', editorPage);
    const afterDeploy = (await (await editorPage.context().request.get('/api/flows')).json()) as { signing?: SigningState };
    assert.equal(afterDeploy.signing?.version, (before.signing?.version ?? 0) + 1, `the signed deploy was accepted: ${await editorPage.getByTestId('deploy-message').textContent()}`);
    const versions = (await (await adminPage.context().request.get('/api/flow-versions')).json()) as { versions: Array<Record<string, unknown>> };
    assert.ok(JSON.stringify(versions).includes(kid), 'the version records the browser key as signer');
  });
});
