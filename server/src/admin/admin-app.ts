import express, { type Express } from 'express';
import helmet from 'helmet';
import { apiErrorHandler, mountRoutes } from '../api/mount-routes.js';
import { ApiError } from '../api/errors.js';
import type { AnyRoute, ApiServices } from '../api/route-types.js';
import { mountSetupPage } from './setup-page.js';

/**
 * The express app: security headers on every response, the route table, the
 * setup page, and one JSON error shape for everything else.
 */
export function createAdminApp(routes: readonly AnyRoute[], services: ApiServices): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
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
  const router = express.Router({ caseSensitive: true, strict: false });
  mountRoutes(router, routes, services);
  mountSetupPage(router);
  app.use(router);
  app.use((req, _res, next) => next(new ApiError('not-found', `No route ${req.method} ${req.path}. GET /api/openapi.json lists them.`)));
  app.use(apiErrorHandler(services));
  return app;
}
