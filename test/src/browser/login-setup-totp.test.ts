import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { browserUnavailable, currentTotp, nextTotp, setupLinkOf, startBrowserHarness, type BrowserHarness } from './harness/index.js';

// Issue 6 journey: first-start setup → admin → enroll TOTP → sign out → sign in with TOTP (and with a recovery code).
describe('first start in the browser', { skip: browserUnavailable() }, () => {
  let harness: BrowserHarness;
  before(async () => {
    harness = await startBrowserHarness({ testFile: import.meta.url });
  });
  after(async () => {
    await harness?.stop();
  });

  test('setup link → first admin → two-factor enrolled → sign-in asks for the code; a recovery code works once', async () => {
    const username = 'plant-admin';
    const password = 'Turbine-Gearbox-Lantern-2031';
    // 1. The setup link from the console opens the editor's setup page.
    const page = await harness.openPage(setupLinkOf(harness.admin.announced));
    await page.getByRole('heading', { name: 'Create the first administrator' }).waitFor();
    await page.getByLabel('Username', { exact: true }).fill(username);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Repeat password', { exact: true }).fill(password);
    await harness.screenshot('01-setup-form', page);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.getByRole('status').filter({ hasText: 'Administrator created' }).waitFor();
    assert.equal(harness.admin.security.setup.needsSetup(), false);

    // 2. Sign in with the password alone (no two-factor yet).
    await page.getByRole('link', { name: 'Go to sign-in' }).click();
    await signIn(page, username, password);
    await page.getByRole('button', { name: `${username} (admin)` }).waitFor();
    const nav = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
    for (const adminPage of ['Users', 'API tokens', 'Signing keys', 'Certificates', 'Audit log', 'Settings']) assert.ok(nav.includes(adminPage), `admin sees ${adminPage}`);

    // 3. Account → set up two-factor: QR code and key, confirm with a code, recovery codes shown once.
    await page.getByRole('button', { name: `${username} (admin)` }).click();
    await page.getByRole('menuitem', { name: 'Account' }).click();
    await page.getByRole('button', { name: 'Set up two-factor' }).click();
    await page.getByRole('img', { name: 'QR code for the authenticator app' }).waitFor();
    const qr = await page.getByRole('img', { name: 'QR code for the authenticator app' }).getAttribute('src');
    assert.match(qr ?? '', /^data:image\/png;base64,/);
    const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
    await harness.screenshot('02-totp-enrollment', page);
    await page.getByLabel('Code from the app').fill(currentTotp(secret));
    await page.getByRole('button', { name: 'Turn on two-factor' }).click();
    // The codes appear once the server has confirmed the code: wait for the list before reading it.
    await page.getByRole('list', { name: 'Recovery code list' }).getByRole('listitem').nth(9).waitFor();
    const codes = await page.getByRole('list', { name: 'Recovery code list' }).getByRole('listitem').allTextContents();
    assert.equal(codes.length, 10, 'ten recovery codes');
    await harness.screenshot('03-recovery-codes', page);
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await page.getByText('Sign-in asks for a code from your authenticator app.').waitFor();

    // 4. Sign out, then sign in: the password step leads to the code step.
    await signOut(page, username);
    await signIn(page, username, password);
    await page.getByLabel('Authentication code').waitFor();
    await page.getByLabel('Authentication code').fill('000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('alert').waitFor();
    await harness.screenshot('04-totp-wrong-code', page);
    await page.getByLabel('Authentication code').fill(nextTotp(secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('button', { name: `${username} (admin)` }).waitFor();
    await harness.screenshot('05-signed-in-with-totp', page);

    // 5. A recovery code instead of the app, once.
    await signOut(page, username);
    await signIn(page, username, password);
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await page.getByLabel('Recovery code').fill(codes[0]!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('button', { name: `${username} (admin)` }).waitFor();
    await signOut(page, username);
    await signIn(page, username, password);
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await page.getByLabel('Recovery code').fill(codes[0]!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('alert').waitFor();
    assert.equal(await page.getByRole('button', { name: `${username} (admin)` }).count(), 0, 'a used recovery code does not sign in again');
    assert.deepEqual(harness.consoleErrors(page).filter((e) => /Content Security Policy|Refused to/i.test(e)), []);
  });

  test('when an administrator requires two-factor, a user without it enrolls during sign-in', async () => {
    harness.admin.security.twoFactor.requireForEveryone = true;
    try {
      const { username, password } = await harness.user('editor');
      const page = await harness.openPage('/');
      await signIn(page, username, password);
      await page.getByRole('heading', { name: 'Set up two-factor sign-in' }).waitFor();
      const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
      await page.getByLabel('Code from the app').fill(currentTotp(secret));
      await page.getByRole('button', { name: 'Turn on two-factor' }).click();
      await page.getByRole('list', { name: 'Recovery code list' }).waitFor();
      await harness.screenshot('06-enroll-at-sign-in', page);
      await page.getByRole('button', { name: 'Continue to sign-in' }).click();
      await page.getByLabel('Authentication code').fill(nextTotp(secret));
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.getByRole('button', { name: `${username} (editor)` }).waitFor();
    } finally {
      harness.admin.security.twoFactor.requireForEveryone = false;
    }
  });
});

async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByRole('heading', { name: 'Sign in to LoopEdge' }).waitFor();
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function signOut(page: Page, username: string): Promise<void> {
  await page.getByRole('button', { name: new RegExp(`^${username} \\(`) }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in to LoopEdge' }).waitFor();
}
