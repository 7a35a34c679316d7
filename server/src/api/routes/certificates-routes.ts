import { Type } from '@sinclair/typebox';
import { IdParam, StrictObject } from '../schema-tools.js';
import { defineRoute, type AnyRoute } from '../route-types.js';
import { requirePrincipal } from './shared.js';

const CertificateSchema = Type.Object({
  id: Type.String(),
  source: Type.Union([Type.Literal('device'), Type.Literal('uploaded')]),
  subject: Type.String(),
  issuer: Type.String(),
  subjectAltNames: Type.Array(Type.String()),
  notBefore: Type.String(),
  notAfter: Type.String(),
  fingerprint256: Type.String(),
  active: Type.Boolean(),
  addedAt: Type.String(),
});
const Pem = Type.String({ minLength: 1, maxLength: 64 * 1024 });

// Adding and activating are audited by the security package.
export const certificatesRoutes: AnyRoute[] = [
  defineRoute({
    method: 'GET',
    path: '/api/certificates/ca',
    permission: 'public',
    tag: 'certificates',
    summary: 'The device CA certificate (PEM), so browsers and clients can trust this device',
    response: { status: 200, description: 'PEM', contentType: 'application/x-pem-file' },
    handler: ({ services }) => ({
      body: services.security.certificates.caCertificatePem(),
      contentType: 'application/x-pem-file',
      headers: { 'Content-Disposition': 'attachment; filename="loopedge-device-ca.pem"' },
    }),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/certificates',
    permission: 'settings:read',
    tag: 'certificates',
    summary: 'Server certificates and which one serves HTTPS (never a private key)',
    response: { status: 200, description: 'Certificates', schema: Type.Object({ certificates: Type.Array(CertificateSchema) }) },
    handler: ({ services }) => ({ body: { certificates: services.security.certificates.list() } }),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/certificates',
    permission: 'certificates:write',
    tag: 'certificates',
    summary: 'Add a certificate with its private key (checked: key matches, dates, chain; key encrypted at rest)',
    bodyLimit: 256 * 1024,
    body: StrictObject({ certPem: Pem, keyPem: Pem, chainPem: Type.Optional(Pem) }),
    response: { status: 201, description: 'Added (not active yet)', schema: Type.Object({ certificate: CertificateSchema }) },
    handler: ({ body, principal, services }) => ({
      status: 201,
      body: { certificate: services.security.certificates.add(body.certPem, body.keyPem, body.chainPem, requirePrincipal(principal).user) },
    }),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/certificates/:id/activate',
    stepUp: true,
    permission: 'certificates:write',
    params: StrictObject({ id: IdParam }),
    tag: 'certificates',
    summary: 'Serve HTTPS with this certificate from the next connection on (no restart)',
    response: { status: 204, description: 'Active' },
    handler({ params, principal, services }) {
      services.security.certificates.activate(params.id, requirePrincipal(principal).user);
      return {};
    },
  }),
];
