import { readFileSync } from 'node:fs';
import { X509Certificate, createHash } from 'node:crypto';
import { checkServerIdentity as defaultCheckServerIdentity, type PeerCertificate } from 'node:tls';

/**
 * What a `tls-config` node gives the nodes that use it: options ready to spread
 * into `tls.connect`, `https.request` or mqtt.js (`{ ...tls }`).
 */
export interface TlsClientOptions {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  passphrase?: string;
  servername?: string;
  rejectUnauthorized: boolean;
  ALPNProtocols?: string[];
  minVersion: 'TLSv1.2';
  /** Our extension: accepted SHA-256 fingerprints (certificate or SPKI), lower-case hex without colons. */
  pinnedSha256?: string[];
  /** Present when pins are set: the host name check (if verification is on), then the pin check. */
  checkServerIdentity?: (host: string, cert: PeerCertificate) => Error | undefined;
}

export interface TlsSources {
  where: string;
  /** File paths (Node-RED's cert, key, ca); these win over the pasted credentials, as in Node-RED. */
  certPath: string;
  keyPath: string;
  caPath: string;
  certData?: string | undefined;
  keyData?: string | undefined;
  caData?: string | undefined;
  passphrase?: string | undefined;
  servername: string;
  alpnProtocol: string;
  verifyServerCert: boolean;
  pins: string;
}

function readPem(where: string, property: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file does not exist' : (error as Error).message;
    throw new Error(`${where}: cannot read the ${property} file "${path}" (property "${property}"): ${reason}; fix the path or paste the PEM text instead`);
  }
}

/**
 * Parse the pin list: SHA-256 fingerprints as hex (colons allowed, as
 * `openssl x509 -fingerprint -sha256` prints them) or `sha256/<base64>` (the
 * HPKP form of an SPKI hash), separated by commas, spaces or new lines.
 */
export function parsePins(where: string, text: string): string[] {
  const pins: string[] = [];
  for (const entry of text.split(/[\s,]+/).filter(Boolean)) {
    let hex: string;
    if (/^sha256\//i.test(entry)) hex = Buffer.from(entry.slice(7), 'base64').toString('hex');
    else hex = entry.replace(/:/g, '').toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(hex)) {
      throw new Error(`${where}: the pin "${entry}" (property "pinnedsha256") is not a SHA-256 fingerprint; give 64 hex digits (colons allowed) or sha256/<base64>`);
    }
    pins.push(hex);
  }
  return pins;
}

/** SHA-256 of the certificate (DER) and of its public key (SPKI DER), hex. */
export function certificateFingerprints(raw: Buffer): { cert: string; spki: string } {
  const spki = new X509Certificate(raw).publicKey.export({ type: 'spki', format: 'der' });
  return { cert: createHash('sha256').update(raw).digest('hex'), spki: createHash('sha256').update(spki).digest('hex') };
}

function pinCheck(where: string, pins: string[]): (host: string, cert: PeerCertificate) => Error | undefined {
  return (host, cert) => {
    const hostError = defaultCheckServerIdentity(host, cert);
    if (hostError) return hostError;
    if (!cert.raw) return new Error(`${where}: the server ${host} sent no certificate to check against the pins`);
    const seen = certificateFingerprints(cert.raw);
    if (pins.includes(seen.cert) || pins.includes(seen.spki)) return undefined;
    return new Error(`${where}: the certificate of ${host} matches none of the pinned SHA-256 fingerprints (its certificate is ${seen.cert}, its public key ${seen.spki}); update the pins if the server's certificate changed on purpose`);
  };
}

/** Build the client options, reading certificate files now so a bad path fails the deploy with a clear error. */
export function buildTlsOptions(s: TlsSources): TlsClientOptions {
  const fromFiles = !!(s.certPath || s.keyPath || s.caPath);
  const cert = fromFiles ? (s.certPath ? readPem(s.where, 'cert', s.certPath) : undefined) : s.certData || undefined;
  const key = fromFiles ? (s.keyPath ? readPem(s.where, 'key', s.keyPath) : undefined) : s.keyData || undefined;
  const ca = fromFiles ? (s.caPath ? readPem(s.where, 'ca', s.caPath) : undefined) : s.caData || undefined;
  if (!!cert !== !!key) {
    throw new Error(`${s.where}: a client certificate needs both the certificate and its private key; set both "cert" and "key" (or certdata and keydata), or neither`);
  }
  const pins = parsePins(s.where, s.pins);
  const options: TlsClientOptions = { rejectUnauthorized: s.verifyServerCert, minVersion: 'TLSv1.2' };
  if (ca) options.ca = ca;
  if (cert) options.cert = cert;
  if (key) options.key = key;
  if (s.passphrase) options.passphrase = s.passphrase;
  if (s.servername) options.servername = s.servername;
  if (s.alpnProtocol) options.ALPNProtocols = [s.alpnProtocol];
  if (pins.length > 0 && !s.verifyServerCert) {
    // Node's TLS only calls checkServerIdentity for a chain it trusts, and ignores
    // its verdict when rejectUnauthorized is off: a pin without verification would be decoration.
    throw new Error(`${s.where}: pinned fingerprints (property "pinnedsha256") need "verifyservercert" on; for a self-signed server certificate, give that certificate as the CA`);
  }
  if (pins.length > 0) {
    options.pinnedSha256 = pins;
    options.checkServerIdentity = pinCheck(s.where, pins);
  }
  return options;
}
