import { Type } from '@sinclair/typebox';
import { ed25519Thumbprint, parseEd25519PublicKey, TrustedKeyError, type TrustedKeyInfo, type TrustedKeysApi } from '@loopedge/security';
import type { FlowVersioning } from '../../flow-versions/flow-versioning.js';
import type { KeyRequest } from '../../flow-versions/key-requests.js';
import { ApiError } from '../errors.js';
import { IdParam, StrictObject } from '../schema-tools.js';
import { defineRoute, type AnyRoute, type ApiServices } from '../route-types.js';
import { audit, requirePrincipal } from './shared.js';

// Keys that may sign flow deploys: the trust store's 'flows' keys plus the
// requests users sent from the editor. Trust changes are admin-only and need a
// signed-in session: a leaked API token must not be able to trust a new key.

type SigningKeyState = 'pending' | 'trusted' | 'revoked' | 'expired' | 'rejected';

interface SigningKeyView {
  id: string;
  name: string;
  owner: string;
  state: SigningKeyState;
  createdAt: string;
  expiresAt?: string;
  revokedAt?: string;
}

const SigningKeySchema = Type.Object({
  id: Type.String({ description: 'RFC 7638 thumbprint: the kid a signature names' }),
  name: Type.String(),
  owner: Type.String(),
  state: Type.Union(['pending', 'trusted', 'revoked', 'expired', 'rejected'].map((s) => Type.Literal(s))),
  createdAt: Type.String(),
  expiresAt: Type.Optional(Type.String()),
  revokedAt: Type.Optional(Type.String()),
});
const PolicySchema = Type.Object({
  requireSignedFlows: Type.Boolean({ description: 'What applies now' }),
  setting: Type.Union([Type.Boolean(), Type.Null()], { description: 'What an admin set; null = on once any flows key is in the trust store' }),
  deviceId: Type.String(),
  deviceGroups: Type.Array(Type.String()),
});
const Name = Type.String({ minLength: 1, maxLength: 200 });
const Pem = Type.String({ minLength: 1, maxLength: 4096 });
const Expiry = Type.String({ format: 'date-time', maxLength: 40 });

function versioningOf(services: ApiServices): FlowVersioning {
  const versioning = services.flows.versioning;
  if (!versioning) throw new ApiError('not-found', 'This server has no flow signing.');
  return versioning;
}

function trustedView(trustedKeys: TrustedKeysApi, key: TrustedKeyInfo): SigningKeyView {
  const lookup = trustedKeys.lookup(key.id, 'flows');
  const state: SigningKeyState = lookup.ok ? 'trusted' : lookup.reason === 'revoked' ? 'revoked' : 'expired';
  return {
    id: key.id,
    name: key.name,
    owner: key.owner,
    state,
    createdAt: key.addedAt,
    ...(key.expiresAt ? { expiresAt: key.expiresAt } : {}),
    ...(key.revokedAt ? { revokedAt: key.revokedAt } : {}),
  };
}

function requestView(request: KeyRequest): SigningKeyView {
  return { id: request.id, name: request.name, owner: request.owner, state: request.state === 'rejected' ? 'rejected' : 'pending', createdAt: request.createdAt };
}

/** The trust store's errors keep their code and status. */
function addTrusted(trustedKeys: TrustedKeysApi, input: Parameters<TrustedKeysApi['add']>[0], actor: string): TrustedKeyInfo {
  try {
    return trustedKeys.add(input, actor);
  } catch (error) {
    if (error instanceof TrustedKeyError) throw new ApiError(error.code === 'trusted-key-not-found' ? 'not-found' : error.code, error.message);
    throw error;
  }
}

function flowsKeyOrThrow(trustedKeys: TrustedKeysApi, id: string): TrustedKeyInfo {
  const key = trustedKeys.get(id);
  if (!key || key.purpose !== 'flows') throw new ApiError('not-found', `No flow-signing key has the id "${id}"; GET /api/signing-keys lists them.`);
  return key;
}

function pendingOrThrow(versioning: FlowVersioning, id: string): KeyRequest {
  const request = versioning.keyRequests.get(id);
  if (!request || request.state !== 'pending') throw new ApiError('not-found', `No pending key request has the id "${id}"; GET /api/signing-keys lists them.`);
  return request;
}

function policyBody(versioning: FlowVersioning): { requireSignedFlows: boolean; setting: boolean | null; deviceId: string; deviceGroups: string[] } {
  const policy = versioning.policy;
  return { requireSignedFlows: policy.required, setting: policy.setting ?? null, deviceId: versioning.deviceId, deviceGroups: [...versioning.deviceGroups] };
}

export const signingKeysRoutes: AnyRoute[] = [
  defineRoute({
    method: 'GET',
    path: '/api/signing-keys',
    permission: 'flows:write',
    tag: 'signing',
    summary: 'Keys that may sign flow deploys, and key requests waiting for (or refused by) an admin',
    response: { status: 200, description: 'Keys', schema: Type.Object({ keys: Type.Array(SigningKeySchema) }) },
    handler({ services }) {
      const versioning = versioningOf(services);
      const { trustedKeys } = services.security;
      const keys = [...trustedKeys.list('flows').map((key) => trustedView(trustedKeys, key)), ...versioning.keyRequests.open().map(requestView)];
      return { body: { keys } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/signing-keys/requests',
    permission: 'flows:write',
    tag: 'signing',
    summary: 'Ask an admin to trust one\'s own flow-signing public key (Ed25519, SPKI PEM); it is pending until approved',
    body: StrictObject({ name: Name, publicKeyPem: Pem }),
    response: { status: 201, description: 'Pending', schema: SigningKeySchema },
    handler(context) {
      const { body, services } = context;
      const versioning = versioningOf(services);
      const owner = requirePrincipal(context.principal).user.username;
      let id: string;
      let publicKeyPem: string;
      try {
        const key = parseEd25519PublicKey(body.publicKeyPem);
        id = ed25519Thumbprint(key);
        publicKeyPem = key.export({ format: 'pem', type: 'spki' }).toString();
      } catch (error) {
        throw new ApiError('trusted-key-invalid', `The public key cannot be used: ${(error as Error).message}. Send an Ed25519 public key as SPKI PEM.`);
      }
      if (services.security.trustedKeys.get(id)) throw new ApiError('trusted-key-exists', 'This key is already in the trust store; a key id has one entry.');
      if (versioning.keyRequests.get(id)?.state === 'pending') throw new ApiError('trusted-key-exists', 'A request for this key is already waiting for an admin.');
      const request = versioning.keyRequests.submit({ id, name: body.name.trim(), owner, publicKeyPem });
      audit(context, { action: 'signing-key.request', target: id, outcome: 'success', details: { name: request.name, owner } });
      return { status: 201, body: requestView(request) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/signing-keys/requests/:id/approve',
    stepUp: true,
    permission: 'security:write',
    sessionOnly: true,
    tag: 'signing',
    summary: 'Trust a requested key for signing flows (optionally until a date)',
    params: StrictObject({ id: IdParam }),
    body: StrictObject({ expiresAt: Type.Optional(Expiry) }),
    response: { status: 200, description: 'Trusted', schema: SigningKeySchema },
    handler(context) {
      const { body, params, services } = context;
      const versioning = versioningOf(services);
      const request = pendingOrThrow(versioning, params.id);
      const actor = requirePrincipal(context.principal).user.username;
      const key = addTrusted(
        services.security.trustedKeys,
        { name: request.name, purpose: 'flows', owner: request.owner, publicKeyPem: request.publicKeyPem, ...(body.expiresAt ? { expiresAt: body.expiresAt } : {}) },
        actor,
      );
      versioning.keyRequests.decide(request.id, 'approved', actor);
      audit(context, { action: 'signing-key.approve', target: key.id, outcome: 'success', details: { name: key.name, owner: key.owner, ...(key.expiresAt ? { expiresAt: key.expiresAt } : {}) } });
      return { body: trustedView(services.security.trustedKeys, key) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/signing-keys/requests/:id/reject',
    permission: 'security:write',
    sessionOnly: true,
    tag: 'signing',
    summary: 'Refuse a key request',
    params: StrictObject({ id: IdParam }),
    response: { status: 200, description: 'Rejected', schema: SigningKeySchema },
    handler(context) {
      const { params, services } = context;
      const versioning = versioningOf(services);
      const request = pendingOrThrow(versioning, params.id);
      const decided = versioning.keyRequests.decide(request.id, 'rejected', requirePrincipal(context.principal).user.username);
      audit(context, { action: 'signing-key.reject', target: request.id, outcome: 'success', details: { name: request.name, owner: request.owner } });
      return { body: requestView(decided) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/signing-keys',
    stepUp: true,
    permission: 'security:write',
    sessionOnly: true,
    tag: 'signing',
    summary: 'Trust a flow-signing key directly (a CI pipeline\'s): name, owner, Ed25519 public key (SPKI PEM), optional expiry',
    body: StrictObject({ name: Name, owner: Name, publicKeyPem: Pem, expiresAt: Type.Optional(Expiry) }),
    response: { status: 201, description: 'Trusted', schema: SigningKeySchema },
    handler(context) {
      const { body, services } = context;
      const actor = requirePrincipal(context.principal).user.username;
      const key = addTrusted(services.security.trustedKeys, { name: body.name, purpose: 'flows', owner: body.owner, publicKeyPem: body.publicKeyPem, ...(body.expiresAt ? { expiresAt: body.expiresAt } : {}) }, actor);
      // The trust store audits the change itself (trusted-key.add); this says which API did it.
      audit(context, { action: 'signing-key.add', target: key.id, outcome: 'success', details: { name: key.name, owner: key.owner } });
      return { status: 201, body: trustedView(services.security.trustedKeys, key) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/signing-keys/:id/revoke',
    permission: 'security:write',
    sessionOnly: true,
    tag: 'signing',
    summary: 'Revoke a flow-signing key for good: signatures by it are refused from now on',
    params: StrictObject({ id: IdParam }),
    body: StrictObject({ reason: Type.String({ minLength: 1, maxLength: 200 }) }),
    response: { status: 200, description: 'Revoked', schema: SigningKeySchema },
    handler(context) {
      const { body, params, services } = context;
      const { trustedKeys } = services.security;
      flowsKeyOrThrow(trustedKeys, params.id);
      const key = trustedKeys.revoke(params.id, body.reason, requirePrincipal(context.principal).user.username);
      audit(context, { action: 'signing-key.revoke', target: key.id, outcome: 'success', details: { name: key.name, reason: body.reason } });
      return { body: trustedView(trustedKeys, key) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api/settings/flow-signing',
    permission: 'settings:read',
    tag: 'signing',
    summary: 'Whether deploys must be signed, and the device id and groups signatures may target',
    response: { status: 200, description: 'Policy', schema: PolicySchema },
    handler: ({ services }) => ({ body: policyBody(versioningOf(services)) }),
  }),
  defineRoute({
    method: 'PUT',
    path: '/api/settings/flow-signing',
    stepUp: true,
    permission: 'security:write',
    sessionOnly: true,
    tag: 'signing',
    summary: 'Require signed flows (true), allow unsigned ones (false), or go back to the default (null: on once a flows key is trusted)',
    body: StrictObject({ requireSignedFlows: Type.Union([Type.Boolean(), Type.Null()]) }),
    response: { status: 200, description: 'Policy after the change', schema: PolicySchema },
    handler(context) {
      const { body, services } = context;
      const versioning = versioningOf(services);
      versioning.setPolicy(body.requireSignedFlows ?? undefined);
      const after = policyBody(versioning);
      audit(context, { action: 'settings.flow-signing', outcome: 'success', details: { setting: body.requireSignedFlows, requireSignedFlows: after.requireSignedFlows } });
      return { body: after };
    },
  }),
];
