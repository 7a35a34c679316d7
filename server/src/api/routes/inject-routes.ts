import { Type } from '@sinclair/typebox';
import { ApiError } from '../errors.js';
import { IdParam, StrictObject } from '../schema-tools.js';
import { defineRoute, type AnyRoute } from '../route-types.js';

/** What a running inject node's handlers offer (nodes/src/common/inject): checked, not imported, so any inject-like type fits. */
interface Triggerable {
  trigger(): void;
}

function isTriggerable(value: unknown): value is Triggerable {
  return typeof value === 'object' && value !== null && typeof (value as { trigger?: unknown }).trigger === 'function';
}

/**
 * The editor's inject button, as Node-RED's `POST /inject/:id`: fires a deployed
 * inject node once, as its timer would. Only the deployed node fires: edits not
 * yet deployed do not change what it sends.
 */
export const injectRoutes: AnyRoute[] = [
  defineRoute({
    method: 'POST',
    path: '/api/nodes/:id/inject',
    permission: 'flows:write',
    params: StrictObject({ id: IdParam }),
    tag: 'flows',
    summary: 'Fire a deployed inject node once (the inject button)',
    response: { status: 200, description: 'The node fired', schema: Type.Object({ injected: Type.String() }) },
    handler({ params, services }) {
      const node = services.runtime.node(params.id);
      if (!node || node.closed) throw new ApiError('not-found', `No deployed node "${params.id}"; deploy the flow first.`);
      const api: unknown = node.handlers.api;
      if (node.type !== 'inject' || !isTriggerable(api)) throw new ApiError('not-found', `Node "${params.id}" is a ${node.type} node, not an inject node; only inject nodes can be fired.`);
      api.trigger();
      return { body: { injected: params.id } };
    },
  }),
];
