import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { browserUnavailable, startBrowserHarness, type BrowserHarness } from './harness/index.js';
import { canvasNode, dragFromPalette, edgeCount, eventually, wire } from './flow-editor-kit.js';

/** Opens a node's form, lets `edit` fill it, applies. */
async function editNode(page: Page, id: string, edit: () => Promise<void>): Promise<void> {
  await canvasNode(page, id).dblclick();
  await edit();
  await page.getByRole('button', { name: 'Apply' }).click();
}

describe('flow editor: property widgets and the inject button', { skip: browserUnavailable() }, () => {
  let harness: BrowserHarness;
  before(async () => {
    harness = await startBrowserHarness({ testFile: import.meta.url });
  });
  after(async () => {
    await harness?.stop();
  });

  test('a switch with two rules built in the form routes an injected message to the right debug node', async () => {
    const page = await harness.openEditor('editor');
    await page.getByTestId('flow-canvas').waitFor();
    const inject = await dragFromPalette(page, 'inject', { x: 100, y: 160 });
    const sw = await dragFromPalette(page, 'switch', { x: 300, y: 160 });
    const low = await dragFromPalette(page, 'debug', { x: 540, y: 90 });
    const high = await dragFromPalette(page, 'debug', { x: 540, y: 240 });

    // The inject node's payload: a number, through the typed input of its props widget.
    await editNode(page, inject, async () => {
      await page.getByRole('combobox', { name: 'msg.payload value type' }).selectOption('num');
      await page.getByRole('textbox', { name: 'msg.payload value', exact: true }).fill('7');
    });
    // Two rules added with the keyboard-reachable buttons: < 3 and >= 3.
    await editNode(page, sw, async () => {
      const add = page.getByRole('button', { name: '+ add rule' });
      await add.click();
      await add.click();
      await page.getByRole('combobox', { name: 'Rule 1 operator' }).selectOption('lt');
      await page.getByRole('textbox', { name: 'Rule 1 value', exact: true }).fill('3');
      await page.getByRole('combobox', { name: 'Rule 2 operator' }).selectOption('gte');
      await page.getByRole('textbox', { name: 'Rule 2 value', exact: true }).fill('3');
      assert.equal(await page.getByRole('combobox', { name: 'Rule 2 value type' }).inputValue(), 'num');
      await harness.screenshot('1-switch-rules', page);
    });
    await editNode(page, low, () => page.locator('#prop-name').fill('low'));
    await editNode(page, high, () => page.locator('#prop-name').fill('high'));

    await eventually('the switch has two output ports', async () => (await canvasNode(page, sw).locator('.react-flow__handle[data-handleid^="out-"]').count()) === 2);
    await wire(page, inject, sw);
    await wire(page, sw, low, 0);
    await wire(page, sw, high, 1);
    await eventually('three wires are drawn', async () => (await edgeCount(page)) === 3);

    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await page.getByTestId('deploy-message').filter({ hasText: 'Deployed.' }).waitFor();
    await page.getByRole('tab', { name: 'Debug' }).click();
    await page.getByRole('button', { name: 'Inject inject' }).click();
    await page.locator('.fe-debug-entry').filter({ hasText: 'high' }).filter({ hasText: '7' }).first().waitFor();
    assert.equal(await page.locator('.fe-debug-entry').filter({ hasText: 'low' }).count(), 0, 'the first rule did not match');
    await harness.screenshot('2-injected-debug', page);

    // What was deployed is Node-RED's shape for these nodes.
    const client = await harness.admin.signedIn('admin');
    const flows = (await client.get<{ flows: Array<Record<string, unknown>> }>('/api/flows')).body.flows;
    const swItem = flows.find((n) => n['id'] === sw)!;
    assert.deepEqual(swItem['rules'], [{ t: 'lt', v: '3', vt: 'num' }, { t: 'gte', v: '3', vt: 'num' }]);
    assert.deepEqual(swItem['wires'], [[low], [high]]);
    assert.equal(Number(swItem['outputs']), 2);
    const injectItem = flows.find((n) => n['id'] === inject)!;
    assert.deepEqual([injectItem['props'], injectItem['payload'], injectItem['payloadType']], [[{ p: 'payload' }, { p: 'topic', vt: 'str' }], '7', 'num']);
  });

  test('change rules and a catch scope edited in their widgets deploy in Node-RED\'s shape', async () => {
    const page = await harness.openEditor('editor');
    await page.locator('[data-node-type]').first().waitFor();
    const change = await dragFromPalette(page, 'change', { x: 320, y: 420 });
    const catcher = await dragFromPalette(page, 'catch', { x: 100, y: 420 });
    await editNode(page, change, async () => {
      await page.getByRole('button', { name: '+ add rule' }).click();
      await page.getByRole('combobox', { name: 'Rule 1 action' }).selectOption('change');
      await page.getByRole('textbox', { name: 'Rule 1 search for', exact: true }).fill('a');
      await page.getByRole('textbox', { name: 'Rule 1 replace with', exact: true }).fill('b');
      await harness.screenshot('3-change-rules', page);
    });
    await editNode(page, catcher, async () => {
      await page.getByRole('combobox', { name: 'Scope mode' }).selectOption('selected');
      await page.getByRole('checkbox', { name: `change ${change}` }).check();
    });
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await page.getByTestId('deploy-message').filter({ hasText: 'Deployed.' }).waitFor();
    const client = await harness.admin.signedIn('admin');
    const flows = (await client.get<{ flows: Array<Record<string, unknown>> }>('/api/flows')).body.flows;
    assert.deepEqual(flows.find((n) => n['id'] === change)!['rules'], [{ t: 'change', p: 'payload', pt: 'msg', from: 'a', fromt: 'str', to: 'b', tot: 'str' }]);
    assert.deepEqual(flows.find((n) => n['id'] === catcher)!['scope'], [change]);
  });

  test('a viewer sees the inject button disabled', async () => {
    const page = await harness.openEditor('viewer');
    const button = page.getByRole('button', { name: /^Inject / }).first();
    await button.waitFor();
    assert.equal(await button.isDisabled(), true);
    await harness.screenshot('4-viewer-inject-disabled', page);
  });
});
