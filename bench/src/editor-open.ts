/**
 * Editor open: a generated 1,000-node flow opened in headless Chromium, in
 * LoopEdge's editor and in Node-RED 4.1's editor (same flow file, same run).
 * Measured per editor: time from navigation until the canvas is interactive
 * (the flow's nodes are drawn and a click on a node selects it), and frames per
 * second while panning (requestAnimationFrame callbacks counted in the page
 * while the mouse wheel pans the canvas).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { FlowDocument, FlowItem } from '@loopedge/flows';
import { TestAdmin } from '@loopedge/server/testing';
import { isQuickMode, runIfMain, type Benchmark, type BenchmarkOutcome } from './benchmark.js';
import { formatNumber, formatTable, median, metText } from './report.js';

export const INTERACTIVE_TARGET_MS = 1500;
const CHROMIUM = process.env.LOOPEDGE_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VIEWPORT = { width: 1280, height: 720 };

/** 1,000 nodes on one tab: 250 chains inject → change → switch → debug, laid out in 5 columns. */
export function generateEditorFlow(chains = 250): FlowDocument {
  const z = 'bench-editor-tab';
  const doc: FlowItem[] = [{ id: z, type: 'tab', label: 'Line 1', disabled: false, info: '' }];
  for (let chain = 0; chain < chains; chain += 1) {
    const x = 120 + (chain % 5) * 760;
    const y = 40 + Math.floor(chain / 5) * 40;
    const id = (role: string): string => `c${chain}-${role}`;
    doc.push(
      { id: id('inject'), type: 'inject', z, name: `sample ${chain}`, props: [{ p: 'payload' }], repeat: '', crontab: '', once: false, onceDelay: 0.1, topic: '', payload: String(chain), payloadType: 'num', x, y, wires: [[id('change')]] },
      { id: id('change'), type: 'change', z, name: 'scale', rules: [{ t: 'set', p: 'unit', pt: 'msg', to: 'mm', tot: 'str' }], action: '', property: '', from: '', to: '', reg: false, x: x + 170, y, wires: [[id('switch')]] },
      { id: id('switch'), type: 'switch', z, name: 'limit', property: 'payload', propertyType: 'msg', rules: [{ t: 'gt', v: '10', vt: 'num' }], checkall: 'true', repair: false, outputs: 1, x: x + 340, y, wires: [[id('debug')]] },
      { id: id('debug'), type: 'debug', z, name: `out ${chain}`, active: false, tosidebar: true, console: false, tostatus: false, complete: 'payload', targetType: 'msg', x: x + 510, y, wires: [] },
    );
  }
  return doc;
}

interface EditorMeasure {
  interactiveMs: number;
  panFps: number;
  /** Node elements in the DOM once interactive (LoopEdge draws only what is in view). */
  drawnNodes: number;
}

interface EditorUnderTest {
  /** Opens the flow in a fresh page; resolves when a click on the first node selected it. */
  open(page: Page): Promise<{ drawnNodes: number }>;
  /** Where to point the mouse to pan. */
  canvasSelector: string;
}

async function measure(browser: Browser, editor: EditorUnderTest, prepare: (page: Page) => Promise<void>): Promise<EditorMeasure> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    await prepare(page);
    const started = performance.now();
    const { drawnNodes } = await editor.open(page);
    const interactiveMs = performance.now() - started;
    const box = await page.locator(editor.canvasSelector).boundingBox();
    if (!box) throw new Error(`no canvas (${editor.canvasSelector}) to pan`);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.evaluate(`(() => { window.__frames = 0; const tick = () => { window.__frames++; window.__raf = requestAnimationFrame(tick); }; window.__raf = requestAnimationFrame(tick); })()`);
    const panStarted = performance.now();
    for (let step = 0; performance.now() - panStarted < 2000; step += 1) {
      const direction = Math.floor(step / 20) % 2 === 0 ? 1 : -1;
      await page.mouse.wheel(direction * 30, direction * 20);
      await page.waitForTimeout(16);
    }
    const frames = Number(await page.evaluate(`(() => { cancelAnimationFrame(window.__raf); return window.__frames; })()`));
    return { interactiveMs, panFps: frames / ((performance.now() - panStarted) / 1000), drawnNodes };
  } finally {
    await context.close();
  }
}

async function clickUntil(page: Page, target: string, selected: string): Promise<void> {
  const node = page.locator(target);
  await node.waitFor();
  const box = await node.boundingBox();
  if (!box) throw new Error(`${target} is not on screen`);
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.locator(selected).waitFor();
}

function loopEdgeEditor(url: string): EditorUnderTest {
  return {
    canvasSelector: '.react-flow__pane',
    async open(page) {
      await page.goto(`${url}/#/flows`);
      await clickUntil(page, '.react-flow__node[data-id="c0-inject"]', '.react-flow__node[data-id="c0-inject"] .fe-node.selected');
      return { drawnNodes: await page.locator('.react-flow__node').count() };
    },
  };
}

function nodeRedEditor(url: string): EditorUnderTest {
  return {
    canvasSelector: '#red-ui-workspace-chart',
    async open(page) {
      await page.goto(url);
      await clickUntil(page, 'g[id="c0-inject"] rect.red-ui-flow-node', 'g[id="c0-inject"].red-ui-flow-node-selected');
      return { drawnNodes: await page.locator('g.red-ui-flow-node-group').count() };
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Node-RED 4.1 from node_modules, its own process, temp userDir, no admin auth, no tours. */
async function startNodeRed(flow: FlowDocument): Promise<{ url: string; stop(): Promise<void> }> {
  const userDir = mkdtempSync(join(tmpdir(), 'loopedge-bench-nodered-'));
  const port = await freePort();
  writeFileSync(join(userDir, 'flows.json'), JSON.stringify(flow));
  writeFileSync(
    join(userDir, 'settings.js'),
    `module.exports = { uiHost: '127.0.0.1', uiPort: ${port}, flowFile: 'flows.json', credentialSecret: false, editorTheme: { tours: false, projects: { enabled: false } }, diagnostics: { enabled: false }, telemetry: { enabled: false }, logging: { console: { level: 'warn' } } };\n`,
  );
  const red = join(dirname(createRequire(import.meta.url).resolve('node-red/package.json')), 'red.js');
  const child: ChildProcess = spawn(process.execPath, [red, '--userDir', userDir, '--settings', join(userDir, 'settings.js')], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Node-RED exited (${child.exitCode}) before serving its editor`);
    try {
      const response = await fetch(`${url}/flows`, { headers: { 'Node-RED-API-Version': 'v2' } });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('Node-RED did not serve its editor within 60 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(userDir, { recursive: true, force: true });
    },
  };
}

export const editorOpenBenchmark: Benchmark = {
  name: 'editor-open',
  description: 'A 1,000-node flow opened in headless Chromium: time to interactive and panning frame rate, LoopEdge vs Node-RED 4.1 editor',
  async run(): Promise<BenchmarkOutcome> {
    if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: install the Debian "chromium" package or set LOOPEDGE_CHROMIUM.`);
    if (!existsSync(join(REPO_ROOT, 'editor', 'build', 'index.html'))) throw new Error('The editor bundle is missing: npm run build -w @loopedge/editor');
    const runs = isQuickMode() ? 1 : 3;
    const flow = generateEditorFlow();
    const admin = await TestAdmin.start({ flows: flow });
    const nodeRed = await startNodeRed(flow);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    const results: Record<'loopedge' | 'node-red', EditorMeasure[]> = { loopedge: [], 'node-red': [] };
    try {
      const { username, password } = await admin.user('editor');
      // Signing in is not part of opening the flow (Node-RED runs without admin auth here).
      const signIn = async (page: Page): Promise<void> => {
        const response = await page.context().request.post(`${admin.url}/api/auth/login`, { data: { username, password } });
        if (response.status() !== 200) throw new Error(`sign-in failed: HTTP ${response.status()}`);
      };
      const loopEdge = loopEdgeEditor(admin.url);
      const red = nodeRedEditor(nodeRed.url);
      // Warm-up per editor (first loads compile the bundle's code), then alternate the measured runs.
      await measure(browser, loopEdge, signIn);
      await measure(browser, red, async () => undefined);
      for (let run = 0; run < runs; run += 1) {
        results.loopedge.push(await measure(browser, loopEdge, signIn));
        results['node-red'].push(await measure(browser, red, async () => undefined));
      }
    } finally {
      await browser.close().catch(() => undefined);
      await nodeRed.stop();
      await admin.stop();
    }
    const summary = (list: EditorMeasure[]) => ({
      interactiveMs: median(list.map((m) => m.interactiveMs)),
      panFps: median(list.map((m) => m.panFps)),
      drawnNodes: list[0]?.drawnNodes ?? 0,
    });
    const ours = summary(results.loopedge);
    const theirs = summary(results['node-red']);
    const targetMet = ours.interactiveMs <= INTERACTIVE_TARGET_MS && ours.interactiveMs <= theirs.interactiveMs;
    const report = formatTable(
      'Opening a 1,000-node flow',
      ['editor', 'time to interactive (ms)', 'pan fps', 'node elements drawn'],
      [
        ['LoopEdge', formatNumber(ours.interactiveMs), formatNumber(ours.panFps, 1), String(ours.drawnNodes)],
        ['Node-RED 4.1', formatNumber(theirs.interactiveMs), formatNumber(theirs.panFps, 1), String(theirs.drawnNodes)],
      ],
    );
    return {
      report: `${report}\n1,000 nodes on one tab, viewport ${VIEWPORT.width}x${VIEWPORT.height}, median of ${runs} run(s). Target: <= ${INTERACTIVE_TARGET_MS} ms and no slower than Node-RED: ${metText(targetMet)}`,
      summary: `open 1,000 nodes: LoopEdge ${formatNumber(ours.interactiveMs)} ms / ${formatNumber(ours.panFps, 1)} fps, Node-RED ${formatNumber(theirs.interactiveMs)} ms / ${formatNumber(theirs.panFps, 1)} fps`,
      targetMet,
      results: { loopedge: ours, nodeRed: theirs, runs: results },
    };
  },
};

runIfMain(import.meta.url, editorOpenBenchmark);
