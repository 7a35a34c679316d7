import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { browserUnavailable, startBrowserHarness, type BrowserHarness } from './harness/index.js';
import { eventually } from './flow-editor-kit.js';

// The shell: the server serves the editor with a strict CSP, a user signs in through the form, an expired
// session is refreshed once, a server that goes away shows the reconnecting banner.
describe('editor shell', { skip: browserUnavailable() }, () => {
  let harness: BrowserHarness;
  // The server's clock, moved forward to expire access tokens.
  let offsetMs = 0;
  before(async () => {
    harness = await startBrowserHarness({ testFile: import.meta.url, clock: () => Date.now() + offsetMs });
  });
  after(async () => {
    await harness?.stop();
  });

  test('the sign-in form signs an editor in; the nav shows only what the role may open', async () => {
    const { username, password } = await harness.user('editor');
    const page = await harness.openPage('/');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill('wrong-password-entirely');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong username or password' }).waitFor();
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: `${username} (editor)` }).waitFor();
    await harness.screenshot('signed-in-editor', page);
    const nav = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
    assert.ok(nav.includes('Flows'));
    assert.ok(!nav.includes('Users') && !nav.includes('Audit log'), `an editor sees no admin-only pages: ${nav.join(', ')}`);
    assert.deepEqual(harness.consoleErrors(page).filter((e) => /Content Security Policy/i.test(e)), []);
  });

  test('index.html carries the response\'s CSP nonce; hashed assets are cached long', async () => {
    const page = await harness.openPage('/');
    const response = await page.goto('/');
    const csp = response!.headers()['content-security-policy']!;
    const nonce = await page.locator('meta[name="csp-nonce"]').getAttribute('content');
    assert.ok(nonce && nonce.length >= 16, 'a nonce is templated in');
    assert.ok(csp.includes(`'nonce-${nonce}'`), csp);
    assert.match(csp, /script-src 'self'(;|$)/);
    const script = await page.locator('script[type="module"]').getAttribute('src');
    const asset = await page.context().request.get(script!);
    assert.equal(asset.status(), 200);
    assert.match(asset.headers()['cache-control']!, /max-age=31536000.*immutable|immutable.*max-age=31536000/);
  });

  test('concurrent requests after the access token expired share one refresh; the session carries on', async () => {
    const page = await harness.openEditor('admin', '/#/account');
    const admin = await harness.user('admin');
    await page.getByRole('heading', { name: 'Account' }).waitFor();
    const refreshes: number[] = [];
    page.on('response', (response) => {
      if (response.url().endsWith('/api/auth/refresh')) refreshes.push(response.status());
    });
    // Sixteen minutes later on the server's clock: the 15-minute access token has expired.
    offsetMs = 16 * 60_000;
    // The Settings page loads /api/settings and /api/settings/flow-signing at the same time.
    await page.getByRole('link', { name: 'Settings' }).click();
    const twoFactor = page.getByRole('checkbox', { name: 'Require two-factor sign-in for every user' });
    await twoFactor.waitFor();
    // Wait until the page has its data (the checkbox is enabled once both loads answered). Polled with
    // locator checks: waitForFunction would evaluate a string in the page, which its CSP forbids.
    await eventually('the settings have loaded', async () => (await twoFactor.isEnabled()));
    assert.deepEqual(refreshes, [200], 'exactly one refresh, and it succeeded');
    // The session survived (a reused refresh token would have revoked it): more requests work without another refresh.
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('table', { name: 'Users' }).getByRole('cell', { name: admin.username, exact: true }).waitFor();
    assert.equal(await page.getByRole('button', { name: `${admin.username} (admin)` }).count(), 1);
    assert.deepEqual(refreshes, [200]);
    await harness.screenshot('01-after-refresh', page);
  });

  // Last: it stops the server.
  test('a server that goes away shows the reconnecting banner; the page stays as it was', async () => {
    offsetMs = 0;
    const page = await harness.openEditor('editor', '/#/account');
    await page.getByRole('heading', { name: 'Account' }).waitFor();
    await page.getByLabel('Current password').fill('typed but not sent');
    await page.locator('[data-testid="live-state"][data-state="connected"]').waitFor({ state: 'attached' });
    await harness.stopServer();
    await page.getByRole('alert').filter({ hasText: 'reconnecting' }).waitFor();
    assert.equal(await page.getByLabel('Current password').inputValue(), 'typed but not sent', 'what was typed is kept');
    await harness.screenshot('reconnecting-banner', page);
  });
});
