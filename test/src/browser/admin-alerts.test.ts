import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AlertService } from '@loopedge/runtime';
import { browserUnavailable, startBrowserHarness, type BrowserHarness } from './harness/index.js';

// The alerts page: a raised alert arrives live (toast + list), an operator acknowledges it, a viewer may only look.
describe('alerts in the browser', { skip: browserUnavailable() }, () => {
  let harness: BrowserHarness;
  let alerts: AlertService;
  before(async () => {
    harness = await startBrowserHarness({ testFile: import.meta.url });
    const service = harness.admin.server.runtime.options.host?.alerts;
    assert.ok(service, 'the server runs an alert service');
    alerts = service;
  });
  after(async () => {
    await harness?.stop();
  });

  test('a raised alert shows as a toast and in the list; an operator acknowledges it; a viewer cannot', async () => {
    const operator = await harness.user('operator');
    const page = await harness.openEditor('operator', '/#/alerts');
    await page.getByRole('heading', { name: 'Alerts' }).waitFor();
    await page.getByText('No alerts match.').waitFor();
    await page.locator('[data-testid="live-state"][data-state="connected"]').waitFor({ state: 'attached' });

    const title = 'Spindle <b>overheated</b>';
    alerts.raise({ key: 'spindle-temp', severity: 'critical', title, message: 'Spindle at 92 °C', source: { nodeId: 'n1', flowId: 'tab1', name: 'spindle alert' } });
    await page.locator('.toast').filter({ hasText: `critical: ${title}` }).waitFor();
    const row = page.getByRole('table', { name: 'Alerts' }).getByRole('row').filter({ hasText: 'Spindle at 92 °C' });
    await row.waitFor();
    assert.equal(await row.locator('b').count(), 0, 'the title is text, not HTML');
    await harness.screenshot('01-alert-raised', page);

    await row.getByRole('button', { name: `Acknowledge ${title}` }).click();
    // The page filters on "active" by default: the acknowledged alert leaves the list; "any state" shows it.
    await page.getByText('No alerts match.').waitFor();
    await page.getByLabel('State').selectOption('');
    await page.getByRole('row').filter({ hasText: `acknowledged by ${operator.username}` }).waitFor();
    await harness.screenshot('02-alert-acknowledged', page);

    alerts.raise({ key: 'door-open', severity: 'minor', title: 'Door open', message: 'Guard door open', source: { nodeId: 'n2', flowId: 'tab1' } });
    const viewerPage = await harness.openEditor('viewer', '/#/alerts');
    await viewerPage.getByRole('row').filter({ hasText: 'Guard door open' }).waitFor();
    assert.equal(await viewerPage.getByRole('button', { name: /^Acknowledge/ }).count(), 0, 'a viewer gets no Acknowledge button');
  });
});
