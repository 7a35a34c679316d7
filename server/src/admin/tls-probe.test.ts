import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestAdmin } from '../test-support/test-admin.js';
import { ApiClient } from '../test-support/api-client.js';

// The TLS policy as a client sees it, probed with `openssl s_client` (the
// openssl package; CI installs it) against the running server.

interface Probe {
  ok: boolean;
  output: string;
}

function sClient(port: number, args: string[]): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    // Closed stdin: s_client ends right after the handshake.
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ ok: code === 0 && /Cipher is (?!\(NONE\))/.test(output), output });
    });
  });
}

/** A refusal by the server, not by our own client: the client must have offered the protocol. */
function assertServerRefusedProtocol(probe: Probe, what: string): void {
  assert.equal(probe.ok, false, `${what} was accepted:\n${probe.output}`);
  assert.doesNotMatch(probe.output, /no protocols available/, `${what}: the local client could not even offer it`);
  assert.match(probe.output, /protocol version|unsupported protocol|wrong version number/i, `${what}:\n${probe.output}`);
}

describe('TLS probe with openssl s_client', () => {
  let admin: TestAdmin;
  let work: string;
  let deviceCa: string;

  before(async () => {
    admin = await TestAdmin.start();
    work = mkdtempSync(join(tmpdir(), 'loopedge-tls-'));
    deviceCa = join(work, 'device-ca.pem');
    writeFileSync(deviceCa, admin.ca);
  });
  after(async () => {
    await admin.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('TLS 1.0 and 1.1 are refused by the server', async () => {
    // SECLEVEL=0 lets our OpenSSL 3 client offer the old protocols at all.
    assertServerRefusedProtocol(await sClient(admin.port, ['-tls1', '-cipher', 'DEFAULT:@SECLEVEL=0']), 'TLS 1.0');
    assertServerRefusedProtocol(await sClient(admin.port, ['-tls1_1', '-cipher', 'DEFAULT:@SECLEVEL=0']), 'TLS 1.1');
  });

  test('TLS 1.2 (ECDHE with an AEAD cipher) and TLS 1.3 are accepted', async () => {
    const tls12 = await sClient(admin.port, ['-tls1_2']);
    assert.ok(tls12.ok, tls12.output);
    assert.match(tls12.output, /New, TLSv1\.2, Cipher is ECDHE-(ECDSA|RSA)-(AES\d+-GCM-SHA\d+|CHACHA20-POLY1305)/);
    const tls13 = await sClient(admin.port, ['-tls1_3']);
    assert.ok(tls13.ok, tls13.output);
    assert.match(tls13.output, /New, TLSv1\.3, Cipher is TLS_/);
  });

  test('weak TLS 1.2 ciphers (RSA key exchange, CBC) are refused', async () => {
    for (const cipher of ['AES128-SHA', 'AES256-GCM-SHA384', 'ECDHE-ECDSA-AES128-SHA', 'ECDHE-RSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA384']) {
      const probe = await sClient(admin.port, ['-tls1_2', '-cipher', cipher]);
      assert.equal(probe.ok, false, `${cipher} was accepted:\n${probe.output}`);
      assert.match(probe.output, /handshake failure|no shared cipher|no ciphers available/i, `${cipher}:\n${probe.output}`);
    }
  });

  test('the server certificate chains to the device CA (downloadable without login) for localhost and 127.0.0.1', async () => {
    const download = await admin.client().get('/api/certificates/ca');
    assert.equal(download.status, 200);
    assert.equal(download.text.trim(), admin.ca.trim());
    const byName = await sClient(admin.port, ['-CAfile', deviceCa, '-verify_return_error', '-verify_hostname', 'localhost']);
    assert.ok(byName.ok, byName.output);
    assert.match(byName.output, /Verify return code: 0 \(ok\)/);
    const byIp = await sClient(admin.port, ['-CAfile', deviceCa, '-verify_return_error', '-verify_ip', '127.0.0.1']);
    assert.match(byIp.output, /Verify return code: 0 \(ok\)/);
  });

  test('an uploaded certificate, once activated, serves HTTPS without a restart', async () => {
    const openssl = (...args: string[]): void => {
      execFileSync('openssl', args, { cwd: work, stdio: 'pipe' });
    };
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'root.key', '-out', 'root.pem', '-days', '2',
      '-subj', '/CN=Plant Root CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
    openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=edge-01.plant.example');
    writeFileSync(join(work, 'leaf.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
    openssl('x509', '-req', '-in', 'leaf.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-CAcreateserial', '-out', 'leaf.pem', '-days', '1', '-extfile', 'leaf.ext');
    const rootPem = readFileSync(join(work, 'root.pem'), 'utf8');

    const client = await admin.signedInFresh('admin');
    const mismatched = await client.post('/api/certificates', { certPem: readFileSync(join(work, 'leaf.pem'), 'utf8'), keyPem: readFileSync(join(work, 'root.key'), 'utf8'), chainPem: rootPem });
    assert.equal(mismatched.status, 400, 'a key that is not the certificate\'s is refused');
    const added = await client.post<{ certificate: { id: string; active: boolean } }>('/api/certificates', {
      certPem: readFileSync(join(work, 'leaf.pem'), 'utf8'),
      keyPem: readFileSync(join(work, 'leaf.key'), 'utf8'),
      chainPem: rootPem,
    });
    assert.equal(added.status, 201, added.text);
    assert.equal(added.body.certificate.active, false);
    assert.equal((await client.post(`/api/certificates/${added.body.certificate.id}/activate`)).status, 204);

    const plantClient = new ApiClient(admin.url, rootPem);
    assert.equal((await plantClient.get('/api/health')).status, 200, 'trusted through the uploaded chain');
    await assert.rejects(admin.client().get('/api/health'), /certificate/i, 'the device CA no longer vouches for the server');
    const listed = await plantClient.request<{ certificates: Array<{ id: string; active: boolean }> }>('GET', '/api/certificates', undefined, { headers: { Cookie: client.cookieHeader } });
    assert.deepEqual(listed.body.certificates.filter((c) => c.active).map((c) => c.id), [added.body.certificate.id]);
  });
});
