import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestAdmin } from '../test-support/test-admin.js';

// The editor bundle is served from LOOPEDGE_EDITOR_DIR (read when the app is made): a small fake build here,
// so this test does not depend on `vite build` having run.
const buildDir = mkdtempSync(join(tmpdir(), 'loopedge-editor-build-'));
mkdirSync(join(buildDir, 'assets'));
writeFileSync(join(buildDir, 'index.html'), '<!doctype html><meta name="csp-nonce" content="__CSP_NONCE__"><script type="module" src="/assets/app-1a2b.js"></script>');
writeFileSync(join(buildDir, 'assets', 'app-1a2b.js'), 'console.log("editor")');
after(() => rmSync(buildDir, { recursive: true, force: true }));

async function withServer(editorDir: string, run: (admin: TestAdmin) => Promise<void>): Promise<void> {
  const previous = process.env.LOOPEDGE_EDITOR_DIR;
  process.env.LOOPEDGE_EDITOR_DIR = editorDir;
  const admin = await TestAdmin.start();
  try {
    await run(admin);
  } finally {
    if (previous === undefined) delete process.env.LOOPEDGE_EDITOR_DIR;
    else process.env.LOOPEDGE_EDITOR_DIR = previous;
    await admin.stop();
  }
}

describe('editor static files', () => {
  test('index.html for page addresses with a fresh nonce that the CSP names; hashed assets cached; API 404s stay JSON', async () => {
    await withServer(buildDir, async (admin) => {
      const client = admin.client();
      const nonces = new Set<string>();
      for (const path of ['/', '/setup?token=abc']) {
        const page = await client.get(path, { headers: { Accept: 'text/html' } });
        assert.equal(page.status, 200, path);
        assert.match(String(page.headers['content-type']), /text\/html/);
        assert.equal(page.headers['cache-control'], 'no-store');
        const nonce = /content="([^"]+)"/.exec(page.text)?.[1];
        assert.ok(nonce && nonce !== '__CSP_NONCE__', 'the placeholder is replaced');
        const csp = String(page.headers['content-security-policy']);
        assert.ok(csp.includes(`style-src 'self' 'nonce-${nonce}'`), csp);
        assert.match(csp, /script-src 'self'(;|$)/);
        nonces.add(nonce);
      }
      assert.equal(nonces.size, 2, 'each response has its own nonce');
      // The setup link works for any client, whatever it accepts.
      assert.equal((await client.get('/setup?token=abc')).status, 200);

      const asset = await client.get('/assets/app-1a2b.js');
      assert.equal(asset.status, 200);
      assert.match(String(asset.headers['cache-control']), /max-age=31536000/);
      assert.match(String(asset.headers['cache-control']), /immutable/);
      assert.equal((await client.get('/assets/missing-0000.js')).status, 404);
      const api = await client.get<{ error: { code: string } }>('/api/nope');
      assert.equal(api.status, 404);
      assert.equal(api.body.error.code, 'not-found');
    });
  });

  test('without a build, / says how to build the editor and the setup link still opens the built-in setup page', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'loopedge-no-editor-'));
    try {
      await withServer(empty, async (admin) => {
        const client = admin.client();
        const home = await client.get('/', { headers: { Accept: 'text/html' } });
        assert.equal(home.status, 503);
        assert.match(home.text, /npm run build -w @loopedge\/editor/);
        const setup = await client.get('/setup?token=abc');
        assert.equal(setup.status, 200);
        assert.match(setup.text, /Create the first administrator/);
      });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
