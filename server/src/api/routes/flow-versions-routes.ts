import { Type } from '@sinclair/typebox';
import { diffVersions } from '../../flow-versions/version-diff.js';
import type { FlowVersioning } from '../../flow-versions/flow-versioning.js';
import type { StoredFlowVersion } from '../../flow-versions/version-store.js';
import { ApiError } from '../errors.js';
import { StrictObject } from '../schema-tools.js';
import { defineRoute, type AnyRoute, type ApiServices } from '../route-types.js';
import { DeployResponseSchema, FlowSignatureSchema, deployFlows } from './flows-routes.js';

const VersionParam = Type.Integer({ minimum: 1 });
const IdList = Type.Array(Type.String());
const SummarySchema = Type.Object({
  added: Type.Integer(),
  changed: Type.Integer(),
  removed: Type.Integer(),
  moved: Type.Integer(),
  nodes: Type.Object({ added: IdList, changed: IdList, removed: IdList }, { description: 'The first 20 ids of each list' }),
});
const VersionInfoSchema = Type.Object({
  version: Type.Integer(),
  hash: Type.String(),
  signed: Type.Boolean(),
  signer: Type.Optional(Type.Object({ kid: Type.String(), name: Type.String() })),
  user: Type.Optional(Type.String()),
  time: Type.String(),
  type: Type.String({ description: 'full, flows, nodes, rollback, or file (found in the flow file at start)' }),
  rollbackOf: Type.Optional(Type.Integer()),
  summary: SummarySchema,
});
const DiffEntrySchema = Type.Object({
  id: Type.String(),
  type: Type.String(),
  name: Type.Optional(Type.String()),
  z: Type.Optional(Type.String()),
  change: Type.Optional(Type.String({ description: 'changed (configuration), rewired (only wires) or moved (only position)' })),
});

function versioningOf(services: ApiServices): FlowVersioning {
  const versioning = services.flows.versioning;
  if (!versioning) throw new ApiError('not-found', 'This server keeps no flow versions.');
  return versioning;
}

function versionOrThrow(versioning: FlowVersioning, version: number): StoredFlowVersion {
  const found = versioning.versions.get(version);
  if (!found) throw new ApiError('not-found', `There is no flow version ${version}; GET /api/flow-versions lists them.`);
  return found;
}

export const flowVersionsRoutes: AnyRoute[] = [
  defineRoute({
    method: 'GET',
    path: '/api/flow-versions',
    permission: 'flows:read',
    tag: 'flows',
    summary: 'Deployed flow versions, newest first: signer, user, time, type and a summary of what changed',
    query: StrictObject({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })), offset: Type.Optional(Type.Integer({ minimum: 0 })) }),
    response: { status: 200, description: 'Versions', schema: Type.Object({ current: Type.Integer(), total: Type.Integer(), versions: Type.Array(VersionInfoSchema) }) },
    handler({ query, services }) {
      const versioning = versioningOf(services);
      return {
        body: {
          current: versioning.current()?.version ?? 0,
          total: versioning.versions.count(),
          versions: versioning.versions.list(query.limit ?? 100, query.offset ?? 0),
        },
      };
    },
  }),
  // Before /:version, so "diff" is not taken for a version number.
  defineRoute({
    method: 'GET',
    path: '/api/flow-versions/diff',
    permission: 'flows:read',
    tag: 'flows',
    summary: 'What changed from one version to another: added, changed and removed nodes with their names and types',
    query: StrictObject({ from: VersionParam, to: VersionParam }),
    response: {
      status: 200,
      description: 'Diff',
      schema: Type.Object({ from: Type.Integer(), to: Type.Integer(), added: Type.Array(DiffEntrySchema), changed: Type.Array(DiffEntrySchema), removed: Type.Array(DiffEntrySchema) }),
    },
    handler({ query, services }) {
      const versioning = versioningOf(services);
      const from = versionOrThrow(versioning, query.from);
      const to = versionOrThrow(versioning, query.to);
      return { body: { from: query.from, to: query.to, ...diffVersions(from.flows, to.flows) } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api/flow-versions/:version',
    permission: 'flows:read',
    tag: 'flows',
    summary: 'One version with its flows and signature',
    params: StrictObject({ version: VersionParam }),
    response: {
      status: 200,
      description: 'Version',
      schema: Type.Intersect([VersionInfoSchema, Type.Object({ flows: Type.Array(Type.Record(Type.String(), Type.Unknown())), signature: Type.Optional(Type.String()) })]),
    },
    handler: ({ params, services }) => ({ body: versionOrThrow(versioningOf(services), params.version) }),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/flow-versions/:version/rollback',
    permission: 'flows:write',
    tag: 'flows',
    summary: 'Deploy an old version again, as a new version: sign its flows for the next version (unsigned only while signing is not required)',
    params: StrictObject({ version: VersionParam }),
    body: StrictObject({ signature: Type.Optional(FlowSignatureSchema), rev: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })) }),
    response: { status: 200, description: 'Deployed', schema: DeployResponseSchema },
    async handler(context) {
      const { body, params, services } = context;
      const old = versionOrThrow(versioningOf(services), params.version);
      const deployed = await deployFlows(context, {
        flows: old.flows,
        // Without `rev` the caller means "whatever runs now"; with it, a concurrent deploy gives 409.
        rev: body.rev ?? services.flows.rev,
        type: 'full',
        extras: { rollbackOf: params.version, ...(body.signature !== undefined ? { signature: body.signature } : {}) },
      });
      return { body: deployed };
    },
  }),
];
