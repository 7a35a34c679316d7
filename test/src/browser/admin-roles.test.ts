import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { browserUnavailable, startBrowserHarness, type BrowserHarness } from './harness/index.js';

const XSS_NAME = '<img src=x onerror=alert(1)>';

// What a role may not do is hidden or disabled in the UI, and the API refuses it too.
describe('roles in the browser', { skip: browserUnavailable() }, () => {
  let harness: BrowserHarness;
  before(async () => {
    harness = await startBrowserHarness({ testFile: import.meta.url, flows: [{ id: 'tab1', type: 'tab', label: 'Flow 1' }] });
  });
  after(async () => {
    await harness?.stop();
  });

  test('a viewer cannot deploy: the button is disabled, admin pages are hidden, and the API refuses', async () => {
    const viewer = await harness.user('viewer');
    const page = await harness.openEditor('viewer');
    const deploy = page.getByRole('button', { name: 'Deploy', exact: true });
    await deploy.waitFor();
    assert.equal(await deploy.isDisabled(), true, 'Deploy is disabled for a viewer');
    const nav = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
    assert.ok(nav.includes('Flows'));
    for (const hidden of ['Users', 'API tokens', 'Signing keys', 'Certificates', 'Audit log', 'Settings']) assert.ok(!nav.includes(hidden), `a viewer's nav has no ${hidden}`);
    await harness.screenshot('01-viewer-flows', page);

    // Typing an admin page's address shows a refusal, not the page.
    await page.goto('/#/admin/users');
    await page.getByRole('alert').filter({ hasText: `Your role (viewer) may not open Users` }).waitFor();
    await harness.screenshot('02-viewer-admin-refused', page);

    // The API refuses the same deploy with the viewer's own session (cookies + CSRF header, like the editor sends).
    const csrf = (await page.context().cookies()).find((c) => c.name === '__Host-loopedge-csrf')?.value;
    assert.ok(csrf, 'the session has a CSRF cookie');
    const current = await page.context().request.get('/api/flows');
    const { rev, flows } = (await current.json()) as { rev: string; flows: unknown[] };
    const refused = await page.context().request.post('/api/flows', {
      data: { rev, type: 'full', flows: [...flows, { id: 'n1', type: 'comment', z: 'tab1', name: 'by viewer', wires: [] }] },
      headers: { 'x-csrf-token': csrf },
    });
    assert.equal(refused.status(), 403, await refused.text());
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'forbidden');
    assert.equal((await page.context().request.get('/api/users')).status(), 403);
    const after = (await (await page.context().request.get('/api/flows')).json()) as { rev: string };
    assert.equal(after.rev, rev, 'nothing was deployed');
    assert.ok(viewer.username.startsWith('viewer'));
  });

  test('names typed by users render as text on the admin pages, never as HTML', async () => {
    const page = await harness.openEditor('admin', '/#/admin/tokens');
    let dialogs = 0;
    page.on('dialog', (dialog) => {
      dialogs++;
      void dialog.dismiss();
    });
    await page.getByRole('heading', { name: 'API tokens' }).waitFor();
    await page.getByLabel('Token name').fill(XSS_NAME);
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByTestId('new-token').waitFor();
    const table = page.getByRole('table', { name: 'API tokens' });
    await table.getByRole('cell', { name: XSS_NAME, exact: true }).waitFor();
    assert.equal(await table.locator('img').count(), 0, 'no <img> element was made from the name');
    await harness.screenshot('03-xss-name-as-text', page);
    assert.equal(dialogs, 0, 'no script ran');
  });
  test('an admin adds a user and changes the role on the Users page; the server has it', async () => {
    const page = await harness.openEditor('admin', '/#/admin/users');
    await page.getByRole('heading', { name: 'Users and roles' }).waitFor();
    await page.getByLabel('New username').fill('line-operator');
    await page.getByLabel('Initial password').fill('Conveyor-Beacon-Harbor-2044');
    await page.getByLabel('Role', { exact: true }).selectOption('operator');
    await page.getByRole('button', { name: 'Add user' }).click();
    // Creating a user is a step-up action: cancelling fails it with a clear message, confirming retries it.
    const confirm = page.getByRole('dialog', { name: "Confirm it's you" });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await page.locator('.error-text').filter({ hasText: 'confirm your password' }).first().waitFor();
    assert.equal(harness.admin.security.users.findByUsername('line-operator'), undefined, 'cancelled: nobody was created');
    await page.getByRole('button', { name: 'Add user' }).click();
    await confirm.getByLabel('Password').fill('Not-The-Admin-Password-1234');
    await confirm.getByRole('button', { name: 'Confirm' }).click();
    await confirm.getByRole('alert').filter({ hasText: 'not right' }).waitFor();
    await confirm.getByLabel('Password').fill((await harness.user('admin')).password);
    await confirm.getByRole('button', { name: 'Confirm' }).click();
    await confirm.waitFor({ state: 'detached' });
    // Within the 5 minutes the role change below needs no second confirmation.
    const role = page.getByLabel('Role of line-operator');
    await role.waitFor();
    assert.equal(await role.inputValue(), 'operator');
    await role.selectOption('viewer');
    const roleOnServer = () => harness.admin.security.users.list().find((u) => u.username === 'line-operator')?.role;
    for (let i = 0; i < 100 && roleOnServer() !== 'viewer'; i++) await page.waitForTimeout(100);
    assert.equal(roleOnServer(), 'viewer', `the role change was saved; the page shows: ${(await page.locator('.error-text').allTextContents()).join(' | ') || 'no error'}`);
    await harness.screenshot('04-users-page', page);
  });
});
