import { createHash } from 'node:crypto';

/** The two thumbprints an admin may list to trust a server certificate. */
export interface CertificateThumbprints {
  sha1: string;
  sha256: string;
}

/**
 * Thumbprints as admins copy them from UA Expert, openssl or Windows vary in
 * case and separators (`AB:CD`, `ab cd`, `abcd`); compare them as bare lowercase hex.
 */
export function normalizeThumbprint(thumbprint: string): string {
  return thumbprint.replace(/[\s:-]/g, '').toLowerCase();
}

/**
 * The first DER element of a certificate chain. Servers may send their
 * certificate followed by its issuers; the thumbprint is the leaf's.
 */
export function leafCertificate(chain: Buffer): Buffer {
  if (chain.length < 2 || chain[0] !== 0x30) return chain;
  const first = chain[1] ?? 0;
  if (first < 0x80) return chain.subarray(0, 2 + first);
  const lengthBytes = first & 0x7f;
  let length = 0;
  for (let i = 0; i < lengthBytes; i++) length = length * 256 + (chain[2 + i] ?? 0);
  return chain.subarray(0, Math.min(chain.length, 2 + lengthBytes + length));
}

export function thumbprintsOf(certificate: Buffer): CertificateThumbprints {
  const der = leafCertificate(certificate);
  return {
    sha1: createHash('sha1').update(der).digest('hex'),
    sha256: createHash('sha256').update(der).digest('hex'),
  };
}

/** True when the certificate's SHA-1 or SHA-256 thumbprint is in the admin's list. */
export function isTrustedCertificate(certificate: Buffer, trusted: readonly string[]): boolean {
  const { sha1, sha256 } = thumbprintsOf(certificate);
  return trusted.map(normalizeThumbprint).some((t) => t === sha1 || t === sha256);
}

/** Raised when the server presents a certificate no admin has trusted: connecting stops until a redeploy. */
export class UntrustedCertificateError extends Error {
  readonly code = 'opcua-untrusted-certificate';
  constructor(
    readonly endpointUrl: string,
    readonly thumbprints: CertificateThumbprints,
  ) {
    super(
      `OPC UA server ${endpointUrl} presented an untrusted certificate (SHA-256 ${thumbprints.sha256}, SHA-1 ${thumbprints.sha1}). ` +
        `If this is the right server, add "${thumbprints.sha256}" to trustedServerCertificates of the opcua-endpoint node and deploy.`,
    );
    this.name = 'UntrustedCertificateError';
  }
}
