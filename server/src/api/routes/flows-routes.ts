import { Type } from '@sinclair/typebox';
import type { FlowProblem } from '@loopedge/flows';
import { ApiError } from '../errors.js';
import { StrictObject } from '../schema-tools.js';
import { defineRoute, type AnyRoute } from '../route-types.js';
import { audit } from './shared.js';

/** Node-RED's flow JSON: objects with any properties; runtime.validate checks them node by node. */
const FlowDocumentSchema = Type.Array(Type.Object({ id: Type.String(), type: Type.String() }, { additionalProperties: true }), { maxItems: 100_000 });
const DeployTypeSchema = Type.Union([Type.Literal('full'), Type.Literal('flows'), Type.Literal('nodes')]);

function problemPath(problem: FlowProblem, positions: ReadonlyMap<string, number>): string {
  const index = problem.index ?? (problem.nodeId !== undefined ? positions.get(problem.nodeId) : undefined);
  return index === undefined ? 'body/flows' : `body/flows/${index}`;
}

export const flowsRoutes: AnyRoute[] = [
  defineRoute({
    method: 'GET',
    path: '/api/flows',
    permission: 'flows:read',
    tag: 'flows',
    summary: 'The deployed flows and their revision (send the revision back when deploying)',
    response: { status: 200, description: 'Flows', schema: Type.Object({ rev: Type.String(), flows: FlowDocumentSchema }) },
    handler: ({ services }) => ({ body: { rev: services.flows.rev, flows: services.flows.flows } }),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/flows',
    permission: 'flows:write',
    tag: 'flows',
    summary: 'Deploy: full, changed flows or changed nodes; 409 when `rev` is not the deployed revision',
    bodyLimit: 20 * 1024 * 1024,
    body: StrictObject({ flows: FlowDocumentSchema, rev: Type.String({ minLength: 1, maxLength: 128 }), type: Type.Optional(DeployTypeSchema) }),
    response: {
      status: 200,
      description: 'Deployed',
      schema: Type.Object({ rev: Type.String(), type: DeployTypeSchema, started: Type.Number(), stopped: Type.Number() }),
    },
    async handler(context) {
      const { body, services } = context;
      const type = body.type ?? 'full';
      const outcome = await services.flows.deploy(body.flows, body.rev, type);
      if (!outcome.ok) {
        audit(context, { action: 'flows.deploy', outcome: 'failure', details: { type, reason: outcome.reason } });
        if (outcome.reason === 'stale-revision') {
          throw new ApiError('stale-revision', `The flows changed since revision ${body.rev} (now ${outcome.rev}). Reload them, merge your changes and deploy again.`, { details: { rev: outcome.rev } });
        }
        if (outcome.reason === 'invalid') {
          // Config problems name the node but not its position: find it, so the editor can point at it.
          const positions = new Map(body.flows.map((item, index) => [item.id, index] as const));
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
      audit(context, { action: 'flows.deploy', outcome: 'success', details: { type, rev: outcome.rev, started: outcome.result.started, stopped: outcome.result.stopped } });
      return { body: { rev: outcome.rev, type, started: outcome.result.started, stopped: outcome.result.stopped } };
    },
  }),
];
