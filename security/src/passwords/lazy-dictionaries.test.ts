import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// The password dictionaries (~30 MiB of heap) load on the first password check,
// not when the security package is imported: a running device rarely sets a
// password. A static import added back shows up here.

test('importing the security package does not load the password dictionaries; the first check does', async () => {
  const entry = fileURLToPath(new URL('../index.js', import.meta.url));
  const script = `
    import { createRequire } from 'node:module';
    const security = await import(${JSON.stringify(entry)});
    const zxcvbnLoaded = () => Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes('@zxcvbn-ts'));
    const atImport = zxcvbnLoaded();
    const check = security.createPasswordPolicy().check('correct horse battery staple lantern');
    process.stdout.write(JSON.stringify({ atImport, afterCheck: zxcvbnLoaded(), ok: check.ok }));
  `;
  const output = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 60_000 }, (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)));
  });
  assert.deepEqual(JSON.parse(output), { atImport: false, afterCheck: true, ok: true });
});
