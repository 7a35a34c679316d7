// Checks a certificate an admin uploads before it may serve HTTPS: it parses, the
// private key is the certificate's, it is valid now, and the chain links up to a
// self-signed root it carries, a public root Node trusts, or the device CA.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { SecurityError } from '../errors/security-error.js';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export interface CheckedCertificate {
  leaf: X509Certificate;
  /** the leaf alone, PEM */
  certPem: string;
  /** intermediates/root after the leaf, PEM, or undefined */
  chainPem: string | undefined;
  /** PKCS#8 PEM */
  keyPem: string;
}

export function splitPemCertificates(text: string): string[] {
  return text.match(PEM_CERTIFICATE) ?? [];
}

export function checkUploadedCertificate(certPem: string, keyPem: string, chainPem: string | undefined, now: number, deviceCaPem: string | undefined): CheckedCertificate {
  // A fullchain.pem (leaf then intermediates) in the certificate field is common: accept it.
  const blocks = [...splitPemCertificates(certPem), ...splitPemCertificates(chainPem ?? '')];
  if (blocks.length === 0) throw new SecurityError('certificate-invalid', 'No PEM certificate found: paste the certificate starting with -----BEGIN CERTIFICATE-----.');
  const chain = blocks.map((pem, index) => parseCertificate(pem, index));
  const leaf = chain[0]!;

  const key = parseKey(keyPem);
  if (!leaf.checkPrivateKey(key)) {
    throw new SecurityError('certificate-key-mismatch', `The private key does not belong to the certificate for ${leaf.subject.replace(/\n/g, ', ')}; upload the key it was issued for.`);
  }
  if (leaf.ca) throw new SecurityError('certificate-invalid', 'This is a CA certificate; upload a server (leaf) certificate and put CA certificates in the chain.');

  chain.forEach((cert, index) => checkDates(cert, index, now));
  checkChain(chain, deviceCaPem);

  return {
    leaf,
    certPem: blocks[0]!,
    chainPem: blocks.length > 1 ? blocks.slice(1).join('\n') : undefined,
    keyPem: key.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
}

function parseCertificate(pem: string, index: number): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (error) {
    throw new SecurityError('certificate-invalid', `Certificate ${index + 1} (${index === 0 ? 'the server certificate' : 'in the chain'}) is not a valid X.509 PEM certificate.`, { cause: error });
  }
}

function parseKey(keyPem: string): KeyObject {
  try {
    return createPrivateKey({ key: keyPem, format: 'pem' });
  } catch (error) {
    throw new SecurityError(
      'certificate-invalid',
      'The private key could not be read: give an unencrypted PEM key (PKCS#8 "BEGIN PRIVATE KEY", or "BEGIN RSA/EC PRIVATE KEY"); remove a passphrase with `openssl pkey -in key.pem -out plain.pem`.',
      { cause: error },
    );
  }
}

function checkDates(cert: X509Certificate, index: number, now: number): void {
  const which = index === 0 ? 'The certificate' : `Chain certificate ${index} (${cert.subject.replace(/\n/g, ', ')})`;
  if (Date.parse(cert.validTo) <= now) throw new SecurityError('certificate-expired', `${which} expired on ${cert.validTo}.`);
  if (Date.parse(cert.validFrom) > now) throw new SecurityError('certificate-invalid', `${which} is not valid before ${cert.validFrom}; check the device clock.`);
}

function checkChain(chain: X509Certificate[], deviceCaPem: string | undefined): void {
  for (let i = 0; i + 1 < chain.length; i++) {
    if (!issuedBy(chain[i]!, chain[i + 1]!)) {
      throw new SecurityError(
        'certificate-chain',
        `Chain certificate ${i + 1} (${chain[i + 1]!.subject.replace(/\n/g, ', ')}) did not issue certificate ${i} (${chain[i]!.subject.replace(/\n/g, ', ')}); list the chain from the server certificate up to the root, in order.`,
      );
    }
  }
  const top = chain[chain.length - 1]!;
  if (issuedBy(top, top)) return;
  const anchors = [...rootCertificates, ...(deviceCaPem ? [deviceCaPem] : [])];
  for (const pem of anchors) {
    if (issuedBy(top, new X509Certificate(pem))) return;
  }
  throw new SecurityError(
    'certificate-chain',
    `The chain is incomplete: nothing here issued ${top.subject.replace(/\n/g, ', ')} (issuer ${top.issuer.replace(/\n/g, ', ')}). Add the intermediate and root certificates to the chain.`,
  );
}

function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
}
