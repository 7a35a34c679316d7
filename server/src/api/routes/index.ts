import { Type } from '@sinclair/typebox';
import { buildOpenApiDocument } from '../openapi.js';
import { defineRoute, type AnyRoute } from '../route-types.js';
import { authRoutes } from './auth-routes.js';
import { certificatesRoutes } from './certificates-routes.js';
import { contextRoutes } from './context-routes.js';
import { credentialsRoutes } from './credentials-routes.js';
import { flowsRoutes } from './flows-routes.js';
import { injectRoutes } from './inject-routes.js';
import { flowVersionsRoutes } from './flow-versions-routes.js';
import { signingKeysRoutes } from './signing-keys-routes.js';
import { nodeTypesRoutes } from './node-types-routes.js';
import { opcuaRoutes } from './opcua-routes.js';
import { systemRoutes } from './system-routes.js';
import { tokensRoutes } from './tokens-routes.js';
import { updatesRoutes } from './updates-routes.js';
import { usersRoutes } from './users-routes.js';
import { alertsRoutes } from './alerts-routes.js';

/**
 * The one route table of the admin API. Each row declares its permission and
 * schemas; the router, the OpenAPI document and the role-matrix test are all
 * generated from it.
 */
export function routeTable(): AnyRoute[] {
  const routes: AnyRoute[] = [
    ...authRoutes,
    ...usersRoutes,
    ...tokensRoutes,
    ...flowsRoutes,
    ...injectRoutes,
    ...flowVersionsRoutes,
    ...signingKeysRoutes,
    ...nodeTypesRoutes,
    ...contextRoutes,
    ...credentialsRoutes,
    ...certificatesRoutes,
    ...systemRoutes,
    ...updatesRoutes,
    ...opcuaRoutes,
    ...alertsRoutes,
  ];
  let document: Record<string, unknown> | undefined;
  routes.push(
    defineRoute({
      method: 'GET',
      path: '/api/openapi.json',
      permission: 'public',
      tag: 'system',
      summary: 'This document',
      response: { status: 200, description: 'OpenAPI 3.1', schema: Type.Record(Type.String(), Type.Unknown()) },
      handler: ({ services }) => ({ body: (document ??= buildOpenApiDocument(routes, services.version)) }),
    }),
  );
  return routes;
}
