// The browser test harness: a real server and headless Chromium (playwright-core). See browser-harness.ts.
export { startBrowserHarness, browserUnavailable, CHROMIUM_PATH, type BrowserHarness, type BrowserHarnessOptions } from './browser-harness.js';
export { currentTotp, nextTotp, setupLinkOf } from './auth-helpers.js';
