// Which certificate serves HTTPS. The device CA lives in <dataDir>/tls (key 0600) so
// it can be backed up or used with openssl; server certificates live in the
// database with their keys sealed. The server listens to onChange and swaps its TLS
// context, so switching needs no restart.
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { SecurityError } from '../errors/security-error.js';
import { randomId } from '../crypto/random.js';
import { readSetting, writeSetting } from '../store/database.js';
import { requireActorWith } from '../users/user-rows.js';
import type { SecurityContext } from '../context.js';
import type { ActiveCertificate, CertificateInfo, CertificatesApi, PublicUser } from '../types.js';
import { checkUploadedCertificate } from './certificate-check.js';
import { createDeviceCa, createServerCertificate, type PemPair } from './device-ca.js';

export const DEVICE_CERTIFICATE_ID = 'device';
export const TLS_DIR = 'tls';
export const CA_CERT_FILE = 'device-ca.crt';
export const CA_KEY_FILE = 'device-ca.key';
/** The device certificate is renewed this long before it expires (on the next start). */
export const RENEW_BEFORE_MS = 30 * 24 * 60 * 60_000;
const ACTIVE_SETTING = 'active_certificate';
const DEVICE_NAMES_SETTING = 'device_certificate_names';

interface CertificateRow {
  id: string;
  source: 'device' | 'uploaded';
  cert_pem: string;
  key_sealed: string;
  chain_pem: string | null;
  added_at: number;
}

export function createCertificateStore(ctx: SecurityContext): CertificatesApi {
  const { db, clock, box, audit, dataDir } = ctx;
  const tlsDir = join(dataDir, TLS_DIR);
  const caCertPath = join(tlsDir, CA_CERT_FILE);
  const caKeyPath = join(tlsDir, CA_KEY_FILE);
  const listeners = new Set<() => void>();
  const keyContext = (id: string): string => `certificate-key:${id}`;

  function readCa(): PemPair | undefined {
    if (!existsSync(caCertPath) || !existsSync(caKeyPath)) return undefined;
    return { certPem: readFileSync(caCertPath, 'utf8'), keyPem: readFileSync(caKeyPath, 'utf8') };
  }

  async function loadOrCreateCa(): Promise<PemPair> {
    const existing = readCa();
    if (existing) return existing;
    mkdirSync(tlsDir, { recursive: true, mode: 0o700 });
    const ca = await createDeviceCa(`LoopEdge Device CA ${hostname()}`, clock());
    writeFileSync(caKeyPath, ca.keyPem, { mode: 0o600 });
    chmodSync(caKeyPath, 0o600);
    writeFileSync(caCertPath, ca.certPem, { mode: 0o644 });
    audit.append({ action: 'certificate.device-ca-create', outcome: 'success', details: { fingerprint256: new X509Certificate(ca.certPem).fingerprint256 } });
    return ca;
  }

  function row(id: string): CertificateRow | undefined {
    return db.prepare('SELECT * FROM certificates WHERE id = ?').get(id) as CertificateRow | undefined;
  }

  function activeId(): string {
    return readSetting(db, ACTIVE_SETTING) ?? DEVICE_CERTIFICATE_ID;
  }

  function notify(): void {
    for (const listener of listeners) {
      try {
        listener();
      } catch {
        // One failing listener must not stop the others from learning of the switch.
      }
    }
  }

  function info(r: CertificateRow): CertificateInfo {
    const cert = new X509Certificate(r.cert_pem);
    return {
      id: r.id,
      source: r.source,
      subject: cert.subject.replace(/\n/g, ', '),
      issuer: cert.issuer.replace(/\n/g, ', '),
      subjectAltNames: parseSubjectAltNames(cert.subjectAltName),
      notBefore: new Date(Date.parse(cert.validFrom)).toISOString(),
      notAfter: new Date(Date.parse(cert.validTo)).toISOString(),
      fingerprint256: cert.fingerprint256,
      active: r.id === activeId(),
      addedAt: new Date(r.added_at).toISOString(),
    };
  }

  function deviceNeedsRenewal(current: CertificateRow | undefined, wantedNames: string, ca: PemPair): boolean {
    if (!current) return true;
    const cert = new X509Certificate(current.cert_pem);
    const caCert = new X509Certificate(ca.certPem);
    return (
      readSetting(db, DEVICE_NAMES_SETTING) !== wantedNames ||
      Date.parse(cert.validTo) - clock() < RENEW_BEFORE_MS ||
      !(cert.checkIssued(caCert) && cert.verify(caCert.publicKey))
    );
  }

  return {
    async ensureDevice(hostnames, ips) {
      const ca = await loadOrCreateCa();
      const names = uniqueSorted([...hostnames, 'localhost']);
      const addresses = uniqueSorted([...ips, '127.0.0.1', '::1']);
      const wantedNames = JSON.stringify({ names, addresses });
      const current = row(DEVICE_CERTIFICATE_ID);
      if (!deviceNeedsRenewal(current, wantedNames, ca)) return;
      // The machine's own name first: it becomes the certificate's CN.
      const ordered = [...hostnames.filter((h) => h !== 'localhost'), 'localhost'];
      const pair = await createServerCertificate(ca, uniqueInOrder(ordered), addresses, clock());
      db.transaction(() => {
        db.prepare(
          `INSERT INTO certificates (id, source, cert_pem, key_sealed, chain_pem, added_at) VALUES (?, 'device', ?, ?, ?, ?)
           ON CONFLICT(id) DO UPDATE SET cert_pem = excluded.cert_pem, key_sealed = excluded.key_sealed, chain_pem = excluded.chain_pem, added_at = excluded.added_at`,
        ).run(DEVICE_CERTIFICATE_ID, pair.certPem, box.seal(pair.keyPem, keyContext(DEVICE_CERTIFICATE_ID)), ca.certPem, clock());
        writeSetting(db, DEVICE_NAMES_SETTING, wantedNames);
      })();
      audit.append({
        action: current ? 'certificate.device-renew' : 'certificate.device-create',
        target: DEVICE_CERTIFICATE_ID,
        outcome: 'success',
        details: { names, addresses },
      });
      if (current && activeId() === DEVICE_CERTIFICATE_ID) notify();
    },

    caCertificatePem() {
      const ca = readCa();
      if (!ca) throw new SecurityError('certificate-not-found', 'The device CA does not exist yet; it is made when the server first starts (certificates.ensureDevice).');
      return ca.certPem;
    },

    active(): ActiveCertificate {
      const r = row(activeId()) ?? row(DEVICE_CERTIFICATE_ID);
      if (!r) throw new SecurityError('certificate-not-found', 'No certificate to serve HTTPS yet; call certificates.ensureDevice first.');
      const result: ActiveCertificate = { id: r.id, certPem: r.cert_pem, keyPem: box.open(r.key_sealed, keyContext(r.id)) };
      if (r.chain_pem) result.chainPem = r.chain_pem;
      return result;
    },

    list() {
      return (db.prepare("SELECT * FROM certificates ORDER BY source = 'device' DESC, added_at").all() as CertificateRow[]).map(info);
    },

    add(certPem, keyPem, chainPem, actor: PublicUser) {
      const actorRow = requireActorWith(db, actor, 'certificates:write', 'add certificates');
      let checked;
      try {
        checked = checkUploadedCertificate(certPem, keyPem, chainPem, clock(), readCa()?.certPem);
      } catch (error) {
        audit.append({ actor: actorRow.username, action: 'certificate.add', outcome: 'failure', details: { reason: (error as Error).message } });
        throw error;
      }
      const id = randomId();
      db.prepare('INSERT INTO certificates (id, source, cert_pem, key_sealed, chain_pem, added_at) VALUES (?, ?, ?, ?, ?, ?)').run(
        id,
        'uploaded',
        checked.certPem,
        box.seal(checked.keyPem, keyContext(id)),
        checked.chainPem ?? null,
        clock(),
      );
      const added = info(row(id)!);
      audit.append({ actor: actorRow.username, action: 'certificate.add', target: id, outcome: 'success', details: { subject: added.subject, fingerprint256: added.fingerprint256, notAfter: added.notAfter } });
      return added;
    },

    activate(id, actor) {
      const actorRow = requireActorWith(db, actor, 'certificates:write', 'choose the HTTPS certificate');
      const r = row(id);
      if (!r) throw new SecurityError('certificate-not-found', `No certificate "${id}".`);
      const notAfter = Date.parse(new X509Certificate(r.cert_pem).validTo);
      if (notAfter <= clock()) throw new SecurityError('certificate-expired', `Certificate "${id}" expired on ${new Date(notAfter).toISOString()}; add a current one.`);
      const previous = activeId();
      writeSetting(db, ACTIVE_SETTING, id);
      audit.append({ actor: actorRow.username, action: 'certificate.activate', target: id, outcome: 'success', details: { previous } });
      if (previous !== id) notify();
    },

    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** "DNS:a, IP Address:1.2.3.4" → ["a", "1.2.3.4"] */
function parseSubjectAltNames(text: string | undefined): string[] {
  if (!text) return [];
  return text.split(', ').map((part) => part.replace(/^(DNS|IP Address):/, ''));
}

function uniqueSorted(values: string[]): string[] {
  return [...new Set(values.map((v) => v.trim()).filter(Boolean))].sort();
}

function uniqueInOrder(values: string[]): string[] {
  return [...new Set(values.map((v) => v.trim()).filter(Boolean))];
}
