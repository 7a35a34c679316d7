import type { SecureContextOptions, TlsOptions } from 'node:tls';
import type { ActiveCertificate } from '@loopedge/security';

/**
 * TLS 1.2 suites: ECDHE key exchange (forward secrecy) with an AEAD cipher
 * only; no RSA key exchange, no CBC, no SHA-1 MACs. TLS 1.3 suites are all
 * AEAD with ephemeral keys by design.
 */
export const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
] as const;
export const TLS13_SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'] as const;

/** Everything about TLS except the certificate. */
export const TLS_POLICY: TlsOptions = {
  minVersion: 'TLSv1.2',
  maxVersion: 'TLSv1.3',
  ciphers: [...TLS13_SUITES, ...TLS12_CIPHERS].join(':'),
  honorCipherOrder: true,
};

/** The secure context for the active certificate (leaf first, then its chain). */
export function secureContextOptions(certificate: ActiveCertificate): SecureContextOptions {
  const cert = certificate.chainPem ? `${certificate.certPem.trim()}\n${certificate.chainPem.trim()}\n` : certificate.certPem;
  return { ...TLS_POLICY, key: certificate.keyPem, cert };
}
