import type { Locator, Page } from 'playwright-core';

/**
 * Canvas gestures for the flow editor's browser tests: what a person does with
 * the mouse, aimed at the elements the editor renders (data-* attributes).
 */

export function canvasNode(page: Page, id: string): Locator {
  return page.locator(`.react-flow__node[data-id="${id}"]`);
}

/** Drags a palette entry onto the canvas at a point relative to the canvas's top-left corner; returns the new node's id. */
export async function dragFromPalette(page: Page, type: string, at: { x: number; y: number }): Promise<string> {
  const before = new Set(await page.locator(`[data-node-type="${type}"]`).evaluateAll((els) => els.map((e) => e.getAttribute('data-node-id'))));
  await page.locator(`[data-palette-type="${type}"]`).dragTo(page.getByTestId('flow-canvas'), { targetPosition: at });
  const node = page.locator(`[data-node-type="${type}"]`).nth(before.size);
  await node.waitFor();
  const ids = await page.locator(`[data-node-type="${type}"]`).evaluateAll((els) => els.map((e) => e.getAttribute('data-node-id')));
  const id = ids.find((candidate) => candidate && !before.has(candidate));
  if (!id) throw new Error(`dragging "${type}" from the palette added no node`);
  return id;
}

async function centreOf(locator: Locator): Promise<{ x: number; y: number }> {
  const box = await locator.boundingBox();
  if (!box) throw new Error('element is not visible');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Drags a wire from a node's output port to another node's input port. */
export async function wire(page: Page, from: string, to: string, port = 0): Promise<void> {
  const source = await centreOf(canvasNode(page, from).locator(`.react-flow__handle[data-handleid="out-${port}"]`));
  const target = await centreOf(canvasNode(page, to).locator('.react-flow__handle[data-handleid="in"]'));
  await page.mouse.move(source.x, source.y);
  await page.mouse.down();
  await page.mouse.move((source.x + target.x) / 2, (source.y + target.y) / 2, { steps: 5 });
  await page.mouse.move(target.x, target.y, { steps: 5 });
  await page.mouse.up();
}

/** Moves a node by dragging its body. */
export async function dragNode(page: Page, id: string, by: { x: number; y: number }): Promise<void> {
  const start = await centreOf(canvasNode(page, id));
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move(start.x + by.x / 2, start.y + by.y / 2, { steps: 5 });
  await page.mouse.move(start.x + by.x, start.y + by.y, { steps: 5 });
  await page.mouse.up();
}

/** The node's position on screen (its transform changes when it moves). */
export async function nodeBox(page: Page, id: string): Promise<{ x: number; y: number }> {
  const box = await canvasNode(page, id).boundingBox();
  if (!box) throw new Error(`node ${id} is not on screen`);
  return { x: Math.round(box.x), y: Math.round(box.y) };
}

export function edgeCount(page: Page): Promise<number> {
  return page.locator('.react-flow__edge.fe-wire').count();
}

/** Waits until a condition on the page holds (polling), with a clear failure. */
export async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
}

/** Clicks an empty spot of the canvas so keyboard shortcuts go to the editor, not a field. */
export async function focusCanvas(page: Page): Promise<void> {
  const pane = await page.locator('.react-flow__pane').boundingBox();
  if (!pane) throw new Error('no canvas pane');
  await page.mouse.click(pane.x + 10, pane.y + pane.height - 10);
}
