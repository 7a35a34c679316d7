import { Type } from '@sinclair/typebox';
import type { ContextScope, Runtime } from '@loopedge/runtime';
import { ApiError } from '../errors.js';
import { IdParam, StrictObject } from '../schema-tools.js';
import { defineRoute, type AnyRoute } from '../route-types.js';
import { encodeForDisplay } from './display-value.js';

const ContextSchema = Type.Object({
  scope: Type.String(),
  /** store name → key → value (as shown in the editor: buffers, functions and cycles summarised) */
  stores: Type.Record(Type.String(), Type.Record(Type.String(), Type.Unknown())),
});

const MAX_KEYS_PER_STORE = 1000;

function readScope(runtime: Runtime, scope: ContextScope, label: string): { scope: string; stores: Record<string, Record<string, unknown>> } {
  const stores: Record<string, Record<string, unknown>> = {};
  for (const store of runtime.context.storeNames) {
    const values: Record<string, unknown> = {};
    for (const key of scope.keys(store).slice(0, MAX_KEYS_PER_STORE)) values[key] = encodeForDisplay(scope.get(key, store));
    stores[store] = values;
  }
  return { scope: label, stores };
}

export const contextRoutes: AnyRoute[] = [
  defineRoute({
    method: 'GET',
    path: '/api/context/global',
    permission: 'context:read',
    tag: 'context',
    summary: 'Global context: every key of every store',
    response: { status: 200, description: 'Context values', schema: ContextSchema },
    handler: ({ services }) => ({ body: readScope(services.runtime, services.runtime.context.global, 'global') }),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/context/flow/:flowId',
    permission: 'context:read',
    params: StrictObject({ flowId: IdParam }),
    tag: 'context',
    summary: 'A flow\'s (tab\'s or subflow instance\'s) context',
    response: { status: 200, description: 'Context values', schema: ContextSchema },
    handler({ params, services }) {
      const known = services.runtime.flows.some((item) => item.id === params.flowId && item.type === 'tab') || services.runtime.node(params.flowId) !== undefined;
      if (!known) throw new ApiError('not-found', `No deployed flow "${params.flowId}".`);
      return { body: readScope(services.runtime, services.runtime.context.scope(params.flowId), `flow:${params.flowId}`) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api/context/node/:nodeId',
    permission: 'context:read',
    params: StrictObject({ nodeId: IdParam }),
    tag: 'context',
    summary: 'A running node\'s own context',
    response: { status: 200, description: 'Context values', schema: ContextSchema },
    handler({ params, services }) {
      const node = services.runtime.node(params.nodeId);
      if (!node) throw new ApiError('not-found', `No running node "${params.nodeId}".`);
      // The runtime keys a node's context by `<node id>:<flow id>`, as Node-RED does.
      return { body: readScope(services.runtime, services.runtime.context.scope(`${node.spec.origin}:${node.z}`), `node:${params.nodeId}`) };
    },
  }),
];
