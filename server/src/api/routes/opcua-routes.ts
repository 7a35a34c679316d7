import { Type } from '@sinclair/typebox';
import { ApiError } from '../errors.js';
import { IdParam, StrictObject } from '../schema-tools.js';
import { defineRoute, type AnyRoute } from '../route-types.js';

const BrowseEntrySchema = Type.Object({
  nodeId: Type.String(),
  browseName: Type.String(),
  displayName: Type.String(),
  nodeClass: Type.String(),
});

/** What the route needs of an opcua-endpoint's service; the node package owns the full interface. */
interface BrowsableEndpoint {
  readonly state: { state: string; detail?: string };
  browse(nodeId: string): Promise<Array<{ nodeId: string; browseName: string; displayName: string; nodeClass: string }>>;
}

function isBrowsable(api: unknown): api is BrowsableEndpoint {
  return typeof api === 'object' && api !== null && typeof (api as { browse?: unknown }).browse === 'function';
}

/** The Objects folder: where an address space's tags start. */
const OBJECTS_FOLDER = 'i=85';

export const opcuaRoutes: AnyRoute[] = [
  defineRoute({
    method: 'GET',
    path: '/api/opcua/:configNodeId/browse',
    permission: 'flows:read',
    params: StrictObject({ configNodeId: IdParam }),
    query: StrictObject({ nodeId: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })) }),
    tag: 'opcua',
    summary: "The children of an OPC UA node (default: the Objects folder), through a deployed opcua-endpoint's connection",
    response: { status: 200, description: 'References of the node', schema: Type.Object({ nodeId: Type.String(), references: Type.Array(BrowseEntrySchema) }) },
    async handler({ params, query, services }) {
      const node = services.runtime.node(params.configNodeId);
      const api = node?.type === 'opcua-endpoint' ? node.handlers.api : undefined;
      if (!isBrowsable(api)) throw new ApiError('not-found', `No deployed opcua-endpoint node "${params.configNodeId}".`);
      const nodeId = query.nodeId ?? OBJECTS_FOLDER;
      if (api.state.state !== 'connected') {
        const why = api.state.detail ? ` (${api.state.detail})` : '';
        throw new ApiError('device-unavailable', `opcua-endpoint ${params.configNodeId} is ${api.state.state}${why}; browse again once it is connected.`);
      }
      try {
        return { body: { nodeId, references: await api.browse(nodeId) } };
      } catch (error) {
        throw new ApiError('validation-failed', `Cannot browse ${nodeId} on opcua-endpoint ${params.configNodeId}: ${(error as Error).message}`, {
          problems: [{ path: '/nodeId', message: (error as Error).message }],
        });
      }
    },
  }),
];
