import type { Express } from 'express';
import type { ApiServices } from '../api/route-types.js';
import { HttpEndpointServer } from './http-endpoint-server.js';

/**
 * Serves the flows' `http in` endpoints on the admin app, when the runtime was
 * given the server's implementation (`host.httpEndpoints`). Mounted before the
 * API router, below its own root, so flows never shadow an API route.
 */
export function mountHttpEndpoints(app: Express, services: Pick<ApiServices, 'runtime' | 'security'>): void {
  const endpoints = services.runtime.options.host?.httpEndpoints;
  if (!(endpoints instanceof HttpEndpointServer)) return;
  app.use(endpoints.root, endpoints.handler(services.security));
}
