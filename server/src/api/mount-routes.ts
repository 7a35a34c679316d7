import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import { Type } from '@sinclair/typebox';
import { ApiError, toApiError } from './errors.js';
import { checkCsrf, checkOrigin, credentialsOf, resolvePrincipal } from './authenticate.js';
import { parseCookies } from './cookies.js';
import { checkStepUp, needsStepUp } from './step-up.js';
import { convertText, findProblems, StrictObject } from './schema-tools.js';
import type { AnyRoute, ApiServices, Principal, RouteContext, RouteResult } from './route-types.js';

export const DEFAULT_BODY_LIMIT = 64 * 1024;
/** Routes without a query or body schema accept none (an empty JSON object is fine). */
const EMPTY_OBJECT = StrictObject({});
const ANY_PARAMS = Type.Object({});

/**
 * Mounts the route table on an express router. Every request runs the same
 * steps in the same order, so no route can skip one:
 *   1. origin check for writes        4. CSRF for cookie-authenticated writes
 *   2. who is calling                 5. body parsed (size limit) and validated
 *   3. permission from the table      6. step-up (fresh password confirmation)
 *                                     7. the handler
 * The body is read only after the caller is known, so anonymous clients cannot
 * make the server parse large bodies.
 */
export function mountRoutes(router: Router, routes: readonly AnyRoute[], services: ApiServices): void {
  for (const route of routes) {
    const parseBody = express.json({ limit: route.bodyLimit ?? DEFAULT_BODY_LIMIT, strict: true, type: () => true });
    const handler: RequestHandler = async (req, res) => {
      const result = await runRoute(route, services, req, res, parseBody);
      sendResult(res, result);
    };
    router[methodName(route)](route.path, handler);
  }
}

async function runRoute(route: AnyRoute, services: ApiServices, req: Request, res: Response, parseBody: RequestHandler): Promise<RouteResult> {
  // 1-4. origin, caller, permission, CSRF.
  checkOrigin(req.method, req.headers);
  const principal = await callerOf(route, services, req);
  authorize(route, principal);
  checkCsrf(principal, req.method, req.headers);
  // A fixed step-up route is refused before its body is even read.
  if (route.stepUp === true) checkStepUp(route, principal, services.security);

  // 5. body, query, params.
  const body = await readBody(route, req, res, parseBody);
  const params = convertText(route.params ?? ANY_PARAMS, { ...req.params });
  const query = convertText(route.query ?? EMPTY_OBJECT, { ...(req.query as object) });
  const problems = [
    ...findProblems(route.params ?? ANY_PARAMS, params, 'params'),
    ...findProblems(route.query ?? EMPTY_OBJECT, query, 'query'),
    ...findProblems(route.body ?? EMPTY_OBJECT, body, 'body'),
  ];
  if (problems.length > 0) {
    throw new ApiError('validation-failed', `The request has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, { problems });
  }

  // 6. step-up that depends on what is asked (e.g. a token's permissions).
  if (route.stepUp !== undefined && route.stepUp !== true && needsStepUp(route, body, principal)) checkStepUp(route, principal, services.security);

  // 7. handler.
  const context: RouteContext = {
    body,
    params,
    query,
    principal,
    services,
    sourceIp: sourceIpOf(req),
    cookies: parseCookies(req.headers.cookie),
    req,
    res,
  };
  return route.handler(context);
}

async function callerOf(route: AnyRoute, services: ApiServices, req: Request): Promise<Principal | undefined> {
  try {
    return await resolvePrincipal(credentialsOf(req.headers), services.security);
  } catch (error) {
    // A stale cookie must not stop anyone from signing in again or reading public routes.
    if (route.permission === 'public') return undefined;
    throw error;
  }
}

function authorize(route: AnyRoute, principal: Principal | undefined): void {
  if (route.permission === 'public') return;
  if (!principal) throw new ApiError('unauthenticated', `Sign in (or send an API token) to use ${route.method} ${route.path}.`);
  if (route.sessionOnly && principal.kind !== 'session') {
    throw new ApiError('forbidden', `${route.method} ${route.path} acts on a person's own account and needs a signed-in session, not an API token.`);
  }
  if (!principal.permissions.includes(route.permission)) {
    throw new ApiError('forbidden', `${route.method} ${route.path} needs the "${route.permission}" permission, which ${principal.kind === 'token' ? 'this API token' : `the role "${principal.user.role}"`} does not have.`);
  }
}

async function readBody(route: AnyRoute, req: Request, res: Response, parseBody: RequestHandler): Promise<unknown> {
  const length = Number(req.headers['content-length'] ?? 0);
  const hasBody = length > 0 || req.headers['transfer-encoding'] !== undefined;
  if (!hasBody) return route.body ? undefined : {};
  const type = req.headers['content-type'] ?? '';
  if (route.streamsBody) {
    // Left unread for the handler, which streams it (e.g. to disk) with its own size limit.
    if (type.split(';')[0]?.trim().toLowerCase() !== route.streamsBody.contentType) {
      throw new ApiError('unsupported-media-type', `Send the body as ${route.streamsBody.contentType} (got ${type ? `"${type}"` : 'no Content-Type'}).`);
    }
    return {};
  }
  if (!/^application\/json\b/i.test(type)) {
    throw new ApiError('unsupported-media-type', `Send the body as application/json (got ${type ? `"${type}"` : 'no Content-Type'}).`);
  }
  await new Promise<void>((resolve, reject) => parseBody(req, res, (error?: unknown) => (error ? reject(error) : resolve())));
  return (req as Request & { body?: unknown }).body;
}

function sendResult(res: Response, result: RouteResult): void {
  const status = result.status ?? (result.body === undefined ? 204 : 200);
  for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
  res.setHeader('Cache-Control', 'no-store');
  if (result.body === undefined || status === 204) {
    res.status(status).end();
  } else if (result.contentType) {
    res.status(status).type(result.contentType).send(result.body as string | Buffer);
  } else {
    res.status(status).json(result.body);
  }
}

/** Where a request came from: the socket's peer (no proxy headers are trusted). */
export function sourceIpOf(req: Request): string {
  return req.socket.remoteAddress ?? 'unknown';
}

function methodName(route: AnyRoute): 'get' | 'post' | 'put' | 'patch' | 'delete' {
  return route.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
}

/** The last handler: one JSON error shape for everything, 500s logged with their cause. */
export function apiErrorHandler(services: Pick<ApiServices, 'logger'>) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const apiError = toApiError(error);
    if (apiError.status >= 500) services.logger.error({ err: error, method: req.method, path: req.path }, 'Admin API request failed');
    if (apiError.extra.retryAfterMs !== undefined) res.setHeader('Retry-After', String(Math.ceil(apiError.extra.retryAfterMs / 1000)));
    res.setHeader('Cache-Control', 'no-store');
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(apiError.status).json(apiError.toBody());
  };
}

