import { existsSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import type { Role } from '@loopedge/security';
import { TestAdmin, type TestAdminOptions, type TestUser } from '@loopedge/server/testing';

/** Debian's Chromium; CI installs the `chromium` apt package (.ci/run). LOOPEDGE_CHROMIUM overrides. */
export const CHROMIUM_PATH = process.env.LOOPEDGE_CHROMIUM ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const EDITOR_INDEX = join(REPO_ROOT, 'editor', 'build', 'index.html');

export interface BrowserHarnessOptions extends TestAdminOptions {
  /** `import.meta.url` of the test file: screenshots go to test-output/screenshots/<its name>/. */
  testFile: string;
  viewport?: { width: number; height: number };
}

export interface BrowserHarness {
  admin: TestAdmin;
  browser: Browser;
  /** The server's base URL (https://127.0.0.1:<port>). */
  url: string;
  /** A fresh browser context (own cookies) with a page open at `path` (default `/`), not signed in. */
  openPage(path?: string): Promise<Page>;
  /** A fresh context signed in as a user of this role (the harness's user for it), at `#/flows` unless `path` says otherwise. */
  openEditor(role: Role, path?: string): Promise<Page>;
  /** The user openEditor(role) signs in as. */
  user(role: Role): Promise<TestUser>;
  /** Saves a full-page PNG as test-output/screenshots/<test file>/<name>.png and returns its path. */
  screenshot(name: string, page?: Page): Promise<string>;
  /** Console errors and page errors seen on a page (CSP violations show up here). */
  consoleErrors(page: Page): string[];
  /** Stops only the server (the browser stays open): for "the server went away" tests. stop() still cleans up. */
  stopServer(): Promise<void>;
  /** Closes every context, the browser and the server; safe to call twice. */
  stop(): Promise<void>;
}

/** Skip reason when the browser tests cannot run here; undefined when they can. */
export function browserUnavailable(): string | undefined {
  if (!existsSync(CHROMIUM_PATH)) return `no Chromium at ${CHROMIUM_PATH}: install the Debian "chromium" package or set LOOPEDGE_CHROMIUM`;
  return undefined;
}

/** Starts a real server (TestAdmin, HTTPS on 127.0.0.1:0) and headless Chromium against it. */
export async function startBrowserHarness(options: BrowserHarnessOptions): Promise<BrowserHarness> {
  if (!existsSync(EDITOR_INDEX)) {
    throw new Error(`The editor bundle is missing (${EDITOR_INDEX}). Build it first: npm run build -w @loopedge/editor`);
  }
  const { testFile, viewport = { width: 1280, height: 720 }, ...adminOptions } = options;
  const screenshotDir = join(REPO_ROOT, 'test-output', 'screenshots', basename(fileURLToPath(testFile)).replace(/\.test\.js$/, ''));
  const admin = await TestAdmin.start(adminOptions);
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true, timeout: 30_000 });
  } catch (error) {
    await admin.stop();
    throw error;
  }
  const contexts = new Set<BrowserContext>();
  const errors = new WeakMap<Page, string[]>();
  let lastPage: Page | undefined;
  let stopped = false;
  let serverStopped: Promise<void> | undefined;
  const stopServer = (): Promise<void> => (serverStopped ??= admin.stop());

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport, baseURL: admin.url });
    context.setDefaultTimeout(15_000);
    contexts.add(context);
    const page = await context.newPage();
    const seen: string[] = [];
    errors.set(page, seen);
    page.on('console', (message: ConsoleMessage) => {
      if (message.type() === 'error') seen.push(message.text());
    });
    page.on('pageerror', (error: Error) => seen.push(error.message));
    lastPage = page;
    return page;
  }

  return {
    admin,
    browser,
    url: admin.url,
    async openPage(path = '/') {
      const page = await newPage();
      await page.goto(path);
      return page;
    },
    user: (role) => admin.user(role),
    async openEditor(role, path = '/#/flows') {
      const { username, password } = await admin.user(role);
      const page = await newPage();
      // Sign in through the context's own request API: the cookies land in the browser's jar, as after a UI sign-in.
      const response = await page.context().request.post('/api/auth/login', { data: { username, password } });
      if (response.status() !== 200) throw new Error(`Sign-in as ${role} (${username}) failed: HTTP ${response.status()} ${await response.text()}`);
      await page.goto(path);
      await page.getByRole('button', { name: new RegExp(`^${username} \\(`) }).waitFor();
      return page;
    },
    async screenshot(name, page = lastPage) {
      if (!page) throw new Error(`screenshot("${name}"): no page is open yet.`);
      mkdirSync(screenshotDir, { recursive: true });
      const path = join(screenshotDir, `${name.replace(/[^a-z0-9_-]+/gi, '-')}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    consoleErrors: (page) => errors.get(page) ?? [],
    stopServer,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        for (const context of contexts) await context.close().catch(() => undefined);
        await browser.close();
      } finally {
        await stopServer();
      }
    },
  };
}
