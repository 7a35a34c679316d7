import { Type, type Static } from '@sinclair/typebox';
import type { FlowDocument, FlowProblem } from '@loopedge/flows';
import type { DeployType } from '@loopedge/runtime';
import type { DeployExtras } from '../../flow-store/flow-store.js';
import { ApiError } from '../errors.js';
import { StrictObject } from '../schema-tools.js';
import { defineRoute, type AnyRoute, type RouteContext } from '../route-types.js';
import { audit } from './shared.js';

/** Node-RED's flow JSON: objects with any properties; runtime.validate checks them node by node. */
const FlowDocumentSchema = Type.Array(Type.Object({ id: Type.String(), type: Type.String() }, { additionalProperties: true }), { maxItems: 100_000 });
const DeployTypeSchema = Type.Union([Type.Literal('full'), Type.Literal('flows'), Type.Literal('nodes')]);
/** Detached compact JWS; its content is checked by the signing library, which names what is wrong. */
export const FlowSignatureSchema = Type.String({ maxLength: 8192, description: 'Detached JWS (EdDSA) over the canonical flow set; see security/src/flow-signing' });
const SigningStateSchema = Type.Object({
  required: Type.Boolean(),
  deviceId: Type.String(),
  target: Type.String(),
  version: Type.Integer(),
  hash: Type.Union([Type.String(), Type.Null()]),
});
export const DeployResponseSchema = Type.Object({
  rev: Type.String(),
  type: DeployTypeSchema,
  started: Type.Number(),
  stopped: Type.Number(),
  version: Type.Optional(Type.Integer()),
  hash: Type.Optional(Type.String()),
});

function problemPath(problem: FlowProblem, positions: ReadonlyMap<string, number>): string {
  const index = problem.index ?? (problem.nodeId !== undefined ? positions.get(problem.nodeId) : undefined);
  return index === undefined ? 'body/flows' : `body/flows/${index}`;
}

/**
 * Deploy through the flow store and answer like POST /api/flows: every refusal
 * audited with its reason, nothing running touched. Rollbacks use it too.
 */
export async function deployFlows(
  context: RouteContext,
  input: { flows: FlowDocument; rev: string; type: DeployType; extras: DeployExtras },
): Promise<Static<typeof DeployResponseSchema>> {
  const { services } = context;
  const { flows, rev, type, extras } = input;
  const rollback = extras.rollbackOf !== undefined ? { rollbackOf: extras.rollbackOf } : {};
  const outcome = await services.flows.deploy(flows, rev, type, { ...extras, ...(context.principal ? { user: context.principal.user.username } : {}) });
  if (!outcome.ok) {
    if (outcome.reason === 'signature') {
      audit(context, { action: 'flows.deploy', outcome: 'failure', details: { type, ...rollback, reason: outcome.refusal, ...(outcome.kid ? { kid: outcome.kid } : {}), message: outcome.message } });
      throw new ApiError('flow-signature-invalid', `Deploy refused, the running flows are untouched: ${outcome.message}`, {
        details: { reason: outcome.refusal, ...(outcome.kid ? { kid: outcome.kid } : {}) },
      });
    }
    audit(context, { action: 'flows.deploy', outcome: 'failure', details: { type, ...rollback, reason: outcome.reason } });
    if (outcome.reason === 'stale-revision') {
      throw new ApiError('stale-revision', `The flows changed since revision ${rev} (now ${outcome.rev}). Reload them, merge your changes and deploy again.`, { details: { rev: outcome.rev } });
    }
    if (outcome.reason === 'invalid') {
      // Config problems name the node but not its position: find it, so the editor can point at it.
      const positions = new Map(flows.map((item, index) => [item.id, index] as const));
      const problems = outcome.problems.map((p) => ({
        path: problemPath(p, positions),
        field: p.field,
        message: p.reason,
        ...(p.nodeId ? { nodeId: p.nodeId } : {}),
      }));
      throw new ApiError('flows-invalid', `The flows have ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}; nothing was deployed.`, { problems });
    }
    const where = outcome.result.failedNode ? ` (node ${outcome.result.failedNode})` : '';
    throw new ApiError('deploy-failed', `The flows failed to start${where}: ${outcome.result.error ?? 'unknown error'}. The previous flows keep running.`);
  }
  // Credentials of removed nodes go with them.
  for (const id of outcome.removedNodeIds) services.security.credentials.remove(id);
  const version = outcome.version ? { version: outcome.version.version, hash: outcome.version.hash } : {};
  const signer = outcome.version?.signer ? { signer: outcome.version.signer.kid } : {};
  audit(context, { action: 'flows.deploy', outcome: 'success', details: { type, ...rollback, rev: outcome.rev, started: outcome.result.started, stopped: outcome.result.stopped, ...version, ...signer } });
  return { rev: outcome.rev, type, started: outcome.result.started, stopped: outcome.result.stopped, ...version };
}

export const flowsRoutes: AnyRoute[] = [
  defineRoute({
    method: 'GET',
    path: '/api/flows',
    permission: 'flows:read',
    tag: 'flows',
    summary: 'The deployed flows and their revision (send the revision back when deploying), and what a signature for the next deploy must name',
    response: {
      status: 200,
      description: 'Flows',
      schema: Type.Object({ rev: Type.String(), flows: FlowDocumentSchema, signing: Type.Optional(SigningStateSchema) }),
    },
    handler: ({ services }) => {
      const signing = services.flows.signing;
      return { body: { rev: services.flows.rev, flows: services.flows.flows, ...(signing ? { signing } : {}) } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/flows',
    permission: 'flows:write',
    tag: 'flows',
    summary: 'Deploy: full, changed flows or changed nodes; 409 when `rev` is not the deployed revision; 422 flow-signature-invalid when signing is required and `signature` is missing or bad',
    bodyLimit: 20 * 1024 * 1024,
    body: StrictObject({
      flows: FlowDocumentSchema,
      rev: Type.String({ minLength: 1, maxLength: 128 }),
      type: Type.Optional(DeployTypeSchema),
      signature: Type.Optional(FlowSignatureSchema),
    }),
    response: { status: 200, description: 'Deployed', schema: DeployResponseSchema },
    async handler(context) {
      const { body } = context;
      const extras: DeployExtras = body.signature !== undefined ? { signature: body.signature } : {};
      return { body: await deployFlows(context, { flows: body.flows, rev: body.rev, type: body.type ?? 'full', extras }) };
    },
  }),
];
