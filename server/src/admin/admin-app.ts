import express, { type Express } from 'express';
import helmet from 'helmet';
import { apiErrorHandler, mountRoutes } from '../api/mount-routes.js';
import { ApiError } from '../api/errors.js';
import type { AnyRoute, ApiServices } from '../api/route-types.js';
import { assignCspNonce, cspNonceSource, mountEditorStatic } from './editor-static.js';
import { mountHttpEndpoints } from '../http-endpoints/mount-http-endpoints.js';

/**
 * The express app: security headers on every response, the route table, the
 * browser editor (editor-static.ts), and one JSON error shape for everything else.
 */
export function createAdminApp(routes: readonly AnyRoute[], services: ApiServices): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(assignCspNonce);
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          // The editor's CodeMirror and xyflow add <style> elements: allowed only with this response's nonce.
          styleSrc: ["'self'", cspNonceSource],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          fontSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
      frameguard: { action: 'deny' },
      referrerPolicy: { policy: 'no-referrer' },
    }),
  );
  mountHttpEndpoints(app, services);
  const router = express.Router({ caseSensitive: true, strict: false });
  mountRoutes(router, routes, services);
  mountEditorStatic(router);
  app.use(router);
  app.use((req, _res, next) => next(new ApiError('not-found', `No route ${req.method} ${req.path}. GET /api/openapi.json lists them.`)));
  app.use(apiErrorHandler(services));
  return app;
}
