import { Type } from '@sinclair/typebox';
import { ApiError } from '../errors.js';
import { IdParam, StrictObject } from '../schema-tools.js';
import { defineRoute, type AnyRoute, type ApiServices } from '../route-types.js';
import { audit } from './shared.js';

const NodeParams = StrictObject({ nodeId: IdParam });
const FieldsSchema = Type.Object({ nodeId: Type.String(), fieldsSet: Type.Array(Type.String()) });

/** The credential fields a deployed node's type declares; undefined when the node or its schema is unknown. */
function declaredFields(services: ApiServices, nodeId: string): string[] | undefined {
  const item = services.runtime.flows.find((node) => node.id === nodeId);
  const definition = item ? services.runtime.nodeTypes.find((d) => d.type === item.type) : undefined;
  return definition?.credentials ? Object.keys(definition.credentials.properties) : undefined;
}

// Write-only by design: no route returns a credential's value, only which fields hold one.
export const credentialsRoutes: AnyRoute[] = [
  defineRoute({
    method: 'GET',
    path: '/api/credentials/:nodeId',
    permission: 'flows:read',
    params: NodeParams,
    tag: 'credentials',
    summary: 'Which credential fields of a node are set (never their values)',
    response: { status: 200, description: 'Fields that hold a value', schema: FieldsSchema },
    handler: ({ params, services }) => ({ body: { nodeId: params.nodeId, fieldsSet: services.security.credentials.fieldsSet(params.nodeId) } }),
  }),
  defineRoute({
    method: 'PUT',
    path: '/api/credentials/:nodeId',
    permission: 'flows:write',
    params: NodeParams,
    tag: 'credentials',
    summary: 'Set credential fields of a node (encrypted at rest); "" clears a field, absent fields stay as they are',
    body: StrictObject({ values: Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$' }), Type.String({ maxLength: 16_384 }), { maxProperties: 64 }) }),
    response: { status: 200, description: 'Stored', schema: FieldsSchema },
    handler(context) {
      const { body, params, services } = context;
      const declared = declaredFields(services, params.nodeId);
      const unknown = declared ? Object.keys(body.values).filter((field) => !declared.includes(field)) : [];
      if (unknown.length > 0) {
        throw new ApiError('validation-failed', `Node ${params.nodeId} has no credential field ${unknown.map((f) => `"${f}"`).join(', ')}; its type declares ${declared!.join(', ') || 'none'}.`, {
          problems: unknown.map((field) => ({ path: `body/values/${field}`, message: 'Unknown credential field', nodeId: params.nodeId })),
        });
      }
      services.security.credentials.set(params.nodeId, body.values);
      // Field names only: values never reach the audit log.
      audit(context, { action: 'credentials.set', target: params.nodeId, outcome: 'success', details: { fields: Object.keys(body.values) } });
      return { body: { nodeId: params.nodeId, fieldsSet: services.security.credentials.fieldsSet(params.nodeId) } };
    },
  }),
];
