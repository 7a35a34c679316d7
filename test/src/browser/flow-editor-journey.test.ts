import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { browserUnavailable, startBrowserHarness, type BrowserHarness } from './harness/index.js';
import { canvasNode, dragFromPalette, dragNode, edgeCount, eventually, focusCanvas, nodeBox, wire } from './flow-editor-kit.js';

const XSS_NAME = '<img src=x onerror=alert(1)>';

// A Node-RED 4 export: a tab with an inject (fires once on deploy) → change → debug.
const NODE_RED_EXPORT = [
  { id: 'a1b2c3d4e5f60001', type: 'tab', label: 'Imported from Node-RED', disabled: false, info: '', env: [] },
  {
    id: 'a1b2c3d4e5f60002', type: 'inject', z: 'a1b2c3d4e5f60001', name: 'start', props: [{ p: 'payload' }, { p: 'topic', vt: 'str' }],
    repeat: '', crontab: '', once: true, onceDelay: 0.1, topic: 'imported', payload: '21', payloadType: 'num', x: 120, y: 80, wires: [['a1b2c3d4e5f60003']],
  },
  {
    id: 'a1b2c3d4e5f60003', type: 'change', z: 'a1b2c3d4e5f60001', name: 'double', rules: [{ t: 'set', p: 'payload', pt: 'msg', to: '$$.payload * 2', tot: 'jsonata' }],
    action: '', property: '', from: '', to: '', reg: false, x: 300, y: 80, wires: [['a1b2c3d4e5f60004']],
  },
  {
    id: 'a1b2c3d4e5f60004', type: 'debug', z: 'a1b2c3d4e5f60001', name: 'imported result', active: true, tosidebar: true, console: false, tostatus: false,
    complete: 'payload', targetType: 'msg', statusVal: '', statusType: 'auto', x: 480, y: 80, wires: [],
  },
];

describe('flow editor journeys', { skip: browserUnavailable() }, () => {
  let harness: BrowserHarness;
  before(async () => {
    harness = await startBrowserHarness({ testFile: import.meta.url });
  });
  after(async () => {
    await harness?.stop();
  });

  test('drag inject, function and debug from the palette, wire, edit, deploy, see the debug message', async () => {
    const page = await harness.openEditor('editor');
    await page.getByTestId('flow-canvas').waitFor();
    const inject = await dragFromPalette(page, 'inject', { x: 120, y: 120 });
    const fn = await dragFromPalette(page, 'function', { x: 320, y: 120 });
    const debug = await dragFromPalette(page, 'debug', { x: 520, y: 120 });
    await wire(page, inject, fn);
    await wire(page, fn, debug);
    await eventually('both wires are drawn', async () => (await edgeCount(page)) === 2);
    await harness.screenshot('1-wired', page);

    await canvasNode(page, inject).dblclick();
    await page.getByRole('combobox', { name: 'msg.payload value type' }).selectOption('str');
    await page.getByRole('textbox', { name: 'msg.payload value', exact: true }).fill('hello from the editor');
    await page.locator('#prop-once').check();
    await page.getByRole('button', { name: 'Apply' }).click();

    await canvasNode(page, fn).dblclick();
    const code = page.locator('.fe-code .cm-content').first();
    await code.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText("msg.payload = msg.payload + '!';\nreturn msg;");
    await harness.screenshot('2-function-code', page);
    await page.getByRole('button', { name: 'Apply' }).click();
    await canvasNode(page, debug).dblclick();
    await page.locator('#prop-tostatus').check();
    await page.getByRole('button', { name: 'Apply' }).click();
    await eventually('the changed markers show', async () => (await page.locator('.fe-changed').count()) === 3);

    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await page.getByTestId('deploy-message').filter({ hasText: 'Deployed.' }).waitFor();
    await page.getByRole('tab', { name: 'Debug' }).click();
    await page.locator('.fe-debug-entry').filter({ hasText: '"hello from the editor!"' }).first().waitFor();
    assert.equal(await page.locator('.fe-changed').count(), 0, 'nothing is marked changed after the deploy');
    // The debug node shows the value in its status: a live badge under the node.
    await page.getByTestId(`status-${debug}`).filter({ hasText: 'hello from the editor!' }).waitFor();
    assert.equal(await page.getByText('Someone else deployed').count(), 0, 'our own deploy is not announced as someone else\'s');
    await harness.screenshot('3-deployed-debug', page);

    const client = await harness.admin.signedIn('admin');
    const deployed = (await client.get<{ flows: Array<Record<string, unknown>> }>('/api/flows')).body;
    const fnItem = deployed.flows.find((n) => n['id'] === fn)!;
    assert.match(String(fnItem['func']), /msg\.payload \+ '!'/);
    assert.deepEqual(deployed.flows.find((n) => n['id'] === inject)!['wires'], [[fn]]);
  });

  test('import a Node-RED export and deploy it', async () => {
    const page = await harness.openEditor('editor');
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByLabel('Paste Node-RED flow JSON').fill(JSON.stringify(NODE_RED_EXPORT));
    await harness.screenshot('4-import-dialog', page);
    await page.getByRole('button', { name: 'Import', exact: true }).last().click();
    await page.getByRole('tab', { name: /Imported from Node-RED/ }).waitFor();
    await eventually('the imported nodes are drawn', async () => (await page.locator('[data-node-type]').count()) === 3);
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await page.getByTestId('deploy-message').filter({ hasText: 'Deployed.' }).waitFor();
    await page.getByRole('tab', { name: 'Debug' }).click();
    await page.locator('.fe-debug-entry').filter({ hasText: 'imported result' }).filter({ hasText: '42' }).first().waitFor();
    await harness.screenshot('5-imported-deployed', page);
  });

  test('an invalid import lists the problem per node and imports nothing', async () => {
    const page = await harness.openEditor('editor');
    // The first flow holds the nodes the first test deployed: wait until they are drawn.
    await page.locator('[data-node-type]').first().waitFor();
    const before = await page.locator('[data-node-type]').count();
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByLabel('Paste Node-RED flow JSON').fill(JSON.stringify([{ id: 'bad1', type: 'inject', name: 'broken', x: 1, y: 1, wires: [['nowhere']] }]));
    await page.getByRole('button', { name: 'Import', exact: true }).last().click();
    const alert = page.getByRole('alert').filter({ hasText: 'Nothing was imported' });
    await alert.waitFor();
    assert.match(await alert.innerText(), /inject "broken" \(bad1\)[\s\S]*wires\[0\]\[0\]/);
    await harness.screenshot('6-invalid-import', page);
    await page.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await page.locator('[data-node-type]').count(), before);
  });

  test('undo and redo a wire and a move', async () => {
    const page = await harness.openEditor('editor');
    const a = await dragFromPalette(page, 'inject', { x: 100, y: 380 });
    const b = await dragFromPalette(page, 'debug', { x: 400, y: 380 });
    const wires = await edgeCount(page);
    await wire(page, a, b);
    await eventually('the wire is drawn', async () => (await edgeCount(page)) === wires + 1);
    const start = await nodeBox(page, b);
    await dragNode(page, b, { x: 0, y: 100 });
    await eventually('the node moved', async () => (await nodeBox(page, b)).y > start.y + 60);
    const moved = await nodeBox(page, b);
    await harness.screenshot('7-wired-and-moved', page);

    await focusCanvas(page);
    await page.keyboard.press('Control+Z');
    await eventually('undo puts the node back', async () => (await nodeBox(page, b)).y === start.y);
    assert.equal(await edgeCount(page), wires + 1, 'the wire is still there after undoing only the move');
    await page.keyboard.press('Control+Z');
    await eventually('undo removes the wire', async () => (await edgeCount(page)) === wires);
    await harness.screenshot('8-undone', page);
    await page.keyboard.press('Control+Y');
    await eventually('redo restores the wire', async () => (await edgeCount(page)) === wires + 1);
    await page.keyboard.press('Control+Y');
    await eventually('redo moves the node again', async () => (await nodeBox(page, b)).y === moved.y);
    await harness.screenshot('9-redone', page);
  });

  test('a deploy error points at the failing node and the line of its code', async () => {
    const page = await harness.openEditor('editor');
    await page.getByRole('button', { name: 'Import' }).click();
    const broken = [{ id: 'badfn', type: 'function', name: 'broken code', func: 'let total = 1;\nreturn msg +;\n', outputs: 1, x: 700, y: 300, wires: [[]] }];
    await page.getByLabel('Paste Node-RED flow JSON').fill(JSON.stringify(broken));
    await page.getByRole('button', { name: 'Import', exact: true }).last().click();
    await canvasNode(page, 'badfn').waitFor();
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await page.getByTestId('deploy-message').filter({ hasText: 'badfn' }).waitFor();
    await canvasNode(page, 'badfn').locator('.fe-node.has-error').waitFor();
    // The failing node's form opens with the reported line marked in its code.
    const errorLine = page.locator('.fe-code .cm-line.fe-code-error-line');
    await errorLine.waitFor();
    assert.equal(await errorLine.innerText(), 'return msg +;');
    await harness.screenshot('11-deploy-error-on-node', page);
  });

  test('a stale revision opens a dialog with the server changes; merge keeps both sides', async () => {
    const page = await harness.openEditor('editor');
    const client = await harness.admin.signedIn('admin');
    const current = (await client.get<{ rev: string; flows: Array<Record<string, unknown>> }>('/api/flows')).body;
    const tab = current.flows.find((i) => i['type'] === 'tab')!['id'];
    const serverNode = { id: 'from-server', type: 'comment', z: tab, name: 'added on the server', info: '', x: 700, y: 40, wires: [] };
    const deployed = await client.post('/api/flows', { flows: [...current.flows, serverNode], rev: current.rev, type: 'full' });
    assert.equal(deployed.status, 200);

    await page.getByText('Someone else deployed new flows.').waitFor();
    const mine = await dragFromPalette(page, 'comment', { x: 500, y: 520 });
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'The flows changed on the server' });
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /from-server|added/);
    await harness.screenshot('12-stale-revision-dialog', page);
    await dialog.getByRole('button', { name: 'Merge' }).click();
    await page.getByTestId('deploy-message').filter({ hasText: 'Merged' }).waitFor();
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await page.getByTestId('deploy-message').filter({ hasText: 'Deployed.' }).waitFor();
    const after = (await client.get<{ flows: Array<Record<string, unknown>> }>('/api/flows')).body.flows.map((i) => i['id']);
    assert.ok(after.includes('from-server') && after.includes(mine), 'the server change and the editor change are both deployed');
  });

  test('box-select, copy to a new flow tab, paste, delete and undo with Node-RED shortcuts', async () => {
    const page = await harness.openEditor('editor');
    const a = await dragFromPalette(page, 'inject', { x: 120, y: 460 });
    const b = await dragFromPalette(page, 'debug', { x: 320, y: 460 });
    await wire(page, a, b);
    // Box selection: drag on the empty canvas from above-left of both nodes to below-right of
    // both (a node must lie wholly inside the box), measured from where they were drawn.
    const boxes = await Promise.all([a, b].map(async (id) => (await canvasNode(page, id).boundingBox())!));
    const left = Math.min(...boxes.map((box) => box.x)) - 30;
    const top = Math.min(...boxes.map((box) => box.y)) - 30;
    const right = Math.max(...boxes.map((box) => box.x + box.width)) + 30;
    const bottom = Math.max(...boxes.map((box) => box.y + box.height)) + 30;
    await page.mouse.move(left, top);
    await page.mouse.down();
    await page.mouse.move((left + right) / 2, (top + bottom) / 2, { steps: 5 });
    await page.mouse.move(right, bottom, { steps: 5 });
    await page.mouse.up();
    await eventually('both nodes are selected', async () => (await page.locator(`.react-flow__node[data-id="${a}"] .fe-node.selected, .react-flow__node[data-id="${b}"] .fe-node.selected`).count()) === 2);
    await page.getByRole('button', { name: 'Group', exact: true }).click();
    await page.locator('.react-flow__node-flowGroup').waitFor();
    await page.keyboard.press('Control+C');
    await page.getByRole('button', { name: 'Add flow' }).click();
    await eventually('the new flow is empty', async () => (await page.locator('[data-node-type]').count()) === 0);
    await focusCanvas(page);
    await page.keyboard.press('Control+V');
    await eventually('the copies are pasted', async () => (await page.locator('[data-node-type]').count()) === 2);
    const pastedIds = await page.locator('[data-node-type]').evaluateAll((els) => els.map((e) => e.getAttribute('data-node-id')));
    assert.ok(!pastedIds.includes(a) && !pastedIds.includes(b), 'pasted nodes get new ids');
    // Wires are drawn once React Flow has measured the pasted nodes' ports: wait for it.
    await eventually('the wire between the copies is pasted too', async () => (await edgeCount(page)) === 1);
    await harness.screenshot('13-pasted-on-new-tab', page);
    await page.keyboard.press('Delete');
    await eventually('the pasted nodes are deleted', async () => (await page.locator('[data-node-type]').count()) === 0);
    await page.keyboard.press('Control+Z');
    await eventually('undo brings them back', async () => (await page.locator('[data-node-type]').count()) === 2);
  });

  test('the rules node\'s rule builder writes json-rules-engine rules, one output port per rule', async () => {
    const page = await harness.openEditor('editor');
    const rules = await dragFromPalette(page, 'rules', { x: 600, y: 420 });
    await canvasNode(page, rules).dblclick();
    await page.getByRole('button', { name: '+ rule' }).click();
    await page.getByRole('button', { name: '+ rule' }).click();
    await page.getByLabel('Rule 1 condition 1 value').fill('50');
    await page.getByLabel('Rule 2 condition 1 operator').selectOption('lessThanInclusive');
    // A nested group: added to rule 1, switched to "any of", its condition edited.
    await page.getByRole('button', { name: 'Rule 1: + group' }).click();
    await page.getByLabel('Rule 1 group 2 mode').selectOption('any');
    await page.getByLabel('Rule 1 condition 2.1 value').fill('5');
    // Power users: rule 2 as JSON; invalid JSON stays in JSON with the parse error shown.
    await page.getByRole('button', { name: 'Rule 2: edit as JSON' }).click();
    const json = page.getByLabel('Rule 2 conditions (JSON)');
    await json.fill('{ "all": [');
    await page.getByRole('button', { name: 'Rule 2: edit as rows' }).click();
    assert.match(await page.getByRole('alert').innerText(), /Invalid JSON/);
    await json.fill('{ "all": [{ "fact": "msg", "operator": "lessThanInclusive", "value": 0, "path": "$.payload" }] }');
    await page.getByRole('button', { name: 'Rule 2: edit as rows' }).click();
    await page.getByLabel('Rule 2 condition 1 operator').waitFor();
    await harness.screenshot('14-rule-builder', page);
    await page.getByRole('button', { name: 'Apply' }).click();
    await eventually('the node has a port per rule', async () => (await canvasNode(page, rules).locator('.react-flow__handle[data-handleid^="out-"]').count()) === 2);
    await page.keyboard.press('Control+E');
    const exported = JSON.parse(await page.getByLabel('Exported JSON').inputValue()) as Array<Record<string, unknown>>;
    const node = exported.find((item) => item['id'] === rules)!;
    assert.deepEqual(node['rules'], [
      { name: 'rule 1', conditions: { all: [{ fact: 'msg', operator: 'greaterThan', value: 50, path: '$.payload' }, { any: [{ fact: 'msg', operator: 'greaterThan', value: 5, path: '$.payload' }] }] } },
      { name: 'rule 2', conditions: { all: [{ fact: 'msg', operator: 'lessThanInclusive', value: 0, path: '$.payload' }] } },
    ]);
    assert.equal(node['outputs'], 2);
  });

  test('a node named like an HTML tag renders as text', async () => {
    const page = await harness.openEditor('editor');
    let dialogs = 0;
    page.on('dialog', (dialog) => {
      dialogs++;
      void dialog.dismiss();
    });
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByLabel('Paste Node-RED flow JSON').fill(JSON.stringify([{ id: 'x55', type: 'debug', name: XSS_NAME, x: 600, y: 500, wires: [] }]));
    await page.getByRole('button', { name: 'Import', exact: true }).last().click();
    const node = canvasNode(page, 'x55');
    await node.waitFor();
    assert.equal(await node.locator('.fe-node-label').innerText(), XSS_NAME);
    await node.dblclick();
    assert.equal(await page.locator('#prop-name').inputValue(), XSS_NAME);
    await page.keyboard.press('Control+F');
    await page.getByRole('searchbox', { name: 'Search nodes' }).fill('onerror');
    await page.locator('.fe-search-hits').getByText(XSS_NAME).waitFor();
    await harness.screenshot('10-xss-name-as-text', page);
    assert.equal(await page.locator('img[src="x"]').count(), 0, 'no img element was created');
    assert.equal(dialogs, 0, 'no alert ran');
  });
});
