import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openTestSecurity, type TestSecurity } from '../testing/open-test-security.js';
import { SecurityError } from '../errors/security-error.js';
import { createDeviceCa, createServerCertificate, type PemPair } from './device-ca.js';
import { CA_KEY_FILE, RENEW_BEFORE_MS, TLS_DIR } from './certificate-store.js';
import type { PublicUser } from '../types.js';

const PASSWORD = 'tidal-Orbit-kettle-92';
const DAY = 24 * 60 * 60_000;
const code = (error: unknown): string | undefined => (error instanceof SecurityError ? error.code : undefined);

describe('certificates', () => {
  let t: TestSecurity;
  let admin: PublicUser;
  let editor: PublicUser;
  let otherCa: PemPair;
  let otherLeaf: PemPair;

  before(async () => {
    t = await openTestSecurity();
    admin = await t.security.users.create({ username: 'admin', password: PASSWORD, role: 'admin' });
    editor = await t.security.users.create({ username: 'editor', password: PASSWORD, role: 'editor' });
    otherCa = await createDeviceCa('Plant IT Root CA', t.clock.now());
    otherLeaf = await createServerCertificate(otherCa, ['edge.plant.example'], ['10.1.2.3'], t.clock.now());
  });
  after(() => t.close());

  test('before the first start there is nothing to serve', () => {
    assert.throws(() => t.security.certificates.active(), (e) => code(e) === 'certificate-not-found');
    assert.throws(() => t.security.certificates.caCertificatePem(), (e) => code(e) === 'certificate-not-found');
  });

  test('first start makes a device CA and a server certificate that chains to it, with the SANs asked for', async () => {
    await t.security.certificates.ensureDevice(['edge-7'], ['10.0.0.7']);
    const active = t.security.certificates.active();
    const leaf = new X509Certificate(active.certPem);
    const ca = new X509Certificate(t.security.certificates.caCertificatePem());
    assert.ok(ca.ca);
    assert.ok(leaf.checkIssued(ca) && leaf.verify(ca.publicKey));
    assert.equal(active.chainPem?.trim(), ca.toString().trim());
    assert.ok(leaf.checkHost('edge-7') && leaf.checkHost('localhost'));
    assert.ok(leaf.checkIP('10.0.0.7') && leaf.checkIP('127.0.0.1'));
    assert.match(active.keyPem, /BEGIN PRIVATE KEY/);
    assert.equal(statSync(join(t.dataDir, TLS_DIR, CA_KEY_FILE)).mode & 0o777, 0o600);
    assert.equal(t.security.certificates.list()[0]?.active, true);
  });

  test('a second start with the same names keeps the certificate; new names or near expiry renew it and notify', async () => {
    const before = t.security.certificates.active().certPem;
    let changes = 0;
    const stop = t.security.certificates.onChange(() => changes++);
    await t.security.certificates.ensureDevice(['edge-7'], ['10.0.0.7']);
    assert.equal(t.security.certificates.active().certPem, before);
    await t.security.certificates.ensureDevice(['edge-7'], ['10.0.0.7', '10.0.0.8']);
    assert.notEqual(t.security.certificates.active().certPem, before);
    assert.equal(changes, 1);
    t.clock.advance(397 * DAY - RENEW_BEFORE_MS + DAY);
    await t.security.certificates.ensureDevice(['edge-7'], ['10.0.0.7', '10.0.0.8']);
    assert.equal(changes, 2);
    stop();
  });

  test('keys are stored encrypted in the database', () => {
    const key = t.security.certificates.active().keyPem;
    const db = new Database(join(t.dataDir, 'security.sqlite'), { readonly: true });
    try {
      const dump = JSON.stringify(db.prepare('SELECT * FROM certificates').all());
      assert.ok(!dump.includes('PRIVATE KEY'));
      assert.ok(!dump.includes(key.split('\n')[1]!));
    } finally {
      db.close();
    }
  });

  test('refuses a key that does not match, an incomplete chain, a broken chain, garbage and an expired certificate', async () => {
    const add = (cert: string, key: string, chain?: string) => t.security.certificates.add(cert, key, chain, admin);
    assert.throws(() => add(otherLeaf.certPem, otherCa.keyPem, otherCa.certPem), (e) => code(e) === 'certificate-key-mismatch');
    assert.throws(() => add(otherLeaf.certPem, otherLeaf.keyPem), (e) => code(e) === 'certificate-chain');
    assert.throws(() => add(otherLeaf.certPem, otherLeaf.keyPem, t.security.certificates.caCertificatePem()), (e) => code(e) === 'certificate-chain');
    assert.throws(() => add('not a certificate', otherLeaf.keyPem), (e) => code(e) === 'certificate-invalid');
    assert.throws(() => add(otherLeaf.certPem, 'not a key', otherCa.certPem), (e) => code(e) === 'certificate-invalid');
    assert.throws(() => add(otherCa.certPem, otherCa.keyPem), (e) => code(e) === 'certificate-invalid');
    const old = await createServerCertificate(otherCa, ['old.example'], [], t.clock.now() - 400 * DAY);
    assert.throws(() => add(old.certPem, old.keyPem, otherCa.certPem), (e) => code(e) === 'certificate-expired');
    assert.equal(t.security.certificates.list().length, 1);
    assert.equal(t.security.audit.list({ action: 'certificate.add' })[0]?.outcome, 'failure');
  });

  test('only admins add or activate certificates', () => {
    assert.throws(() => t.security.certificates.add(otherLeaf.certPem, otherLeaf.keyPem, otherCa.certPem, editor), (e) => code(e) === 'forbidden');
    assert.throws(() => t.security.certificates.activate('device', editor), (e) => code(e) === 'forbidden');
  });

  test('an uploaded certificate with its chain can be activated; the switch notifies listeners', () => {
    const info = t.security.certificates.add(otherLeaf.certPem, otherLeaf.keyPem, otherCa.certPem, admin);
    assert.equal(info.source, 'uploaded');
    assert.equal(info.active, false);
    assert.deepEqual(info.subjectAltNames, ['edge.plant.example', '10.1.2.3']);
    let changes = 0;
    const stop = t.security.certificates.onChange(() => changes++);
    t.security.certificates.activate(info.id, admin);
    const active = t.security.certificates.active();
    assert.equal(active.id, info.id);
    assert.equal(active.certPem.trim(), otherLeaf.certPem.trim());
    assert.equal(active.keyPem.trim(), otherLeaf.keyPem.trim());
    assert.equal(changes, 1);
    assert.deepEqual(t.security.certificates.list().map((c) => [c.id, c.active]), [['device', false], [info.id, true]]);
    t.security.certificates.activate('device', admin);
    assert.equal(changes, 2);
    stop();
    assert.throws(() => t.security.certificates.activate('nope', admin), (e) => code(e) === 'certificate-not-found');
  });

  test('a fullchain.pem in the certificate field and a leaf issued by the device CA are accepted', async () => {
    const fullchain = `${otherLeaf.certPem}\n${otherCa.certPem}`;
    assert.equal(t.security.certificates.add(fullchain, otherLeaf.keyPem, undefined, admin).source, 'uploaded');
    const deviceCa: PemPair = {
      certPem: t.security.certificates.caCertificatePem(),
      keyPem: readFileSync(join(t.dataDir, TLS_DIR, CA_KEY_FILE), 'utf8'),
    };
    const leaf = await createServerCertificate(deviceCa, ['alias.local'], [], t.clock.now());
    assert.equal(t.security.certificates.add(leaf.certPem, leaf.keyPem, undefined, admin).issuer, new X509Certificate(deviceCa.certPem).subject.replace(/\n/g, ', '));
  });
});
