import type { Request, Response } from 'express';
import type { Static, TSchema } from '@sinclair/typebox';
import type { Logger } from '@loopedge/runtime';
import type { Runtime } from '@loopedge/runtime';
import type { Permission, PublicUser, Security } from '@loopedge/security';
import type { FlowStore } from '../flow-store/flow-store.js';
import type { ServerMetrics } from '../metrics/server-metrics.js';
import type { UpdateJobs } from '../updates/update-jobs.js';

/** Who is calling: a browser session (cookies) or a machine (API token). */
export type Principal =
  | { kind: 'session'; user: PublicUser; permissions: readonly Permission[]; sessionId: string; csrfToken: string; expiresAt: number }
  | { kind: 'token'; user: PublicUser; permissions: readonly Permission[]; tokenId: string };

/** `public`: no login needed. Otherwise the permission the caller must hold. */
export type RoutePermission = Permission | 'public';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What routes reach: the engine, the security package and the server's own services. */
export interface ApiServices {
  runtime: Runtime;
  security: Security;
  flows: FlowStore;
  metrics: ServerMetrics;
  logger: Logger;
  version: string;
  /** Over-the-air updates: uploads, applies, their jobs. */
  updates: UpdateJobs;
}

export interface RouteContext<B = unknown, P = unknown, Q = unknown> {
  body: B;
  params: P;
  query: Q;
  /** Set on every non-public route; on public routes when the caller happens to be signed in. */
  principal: Principal | undefined;
  services: ApiServices;
  sourceIp: string;
  cookies: Readonly<Record<string, string>>;
  req: Request;
  res: Response;
}

export interface RouteResult {
  status?: number;
  /** JSON-encoded unless `contentType` says otherwise (then sent as is). */
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface RouteResponse {
  status: number;
  description: string;
  schema?: TSchema;
  /** Default application/json. */
  contentType?: string;
}

/**
 * One row of the route table. The same row drives the permission check, the
 * CSRF check, body validation, the size limit, the OpenAPI document and the
 * generated role-matrix test: a route cannot exist without saying who may call it.
 */
export interface RouteDefinition<B extends TSchema = TSchema, P extends TSchema = TSchema, Q extends TSchema = TSchema> {
  method: HttpMethod;
  /** Express syntax (`/api/users/:id`). */
  path: string;
  permission: RoutePermission;
  /** Refuse API tokens: for acting on one's own account (password, two-factor, new tokens). */
  sessionOnly?: boolean;
  /**
   * Changes trust (keys, signing policy, users, roles, two-factor, certificates):
   * needs a session that confirmed its password in the last 5 minutes
   * (POST /api/auth/reauth); API tokens are refused. A function decides from the
   * validated body and the caller (e.g. only tokens with admin-level permissions).
   */
  stepUp?: true | ((body: Static<B>, principal: Principal) => boolean);
  summary: string;
  tag: string;
  params?: P;
  query?: Q;
  body?: B;
  /** Largest accepted body in bytes; 64 KiB by default. */
  bodyLimit?: number;
  /** The handler reads the request body itself as a stream of this type (large binary uploads); it is not parsed as JSON. */
  streamsBody?: { contentType: string };
  response: RouteResponse;
  // Method syntax on purpose: a table holds routes with different body types.
  handler(context: RouteContext<Static<B>, Static<P>, Static<Q>>): RouteResult | Promise<RouteResult>;
}

export type AnyRoute = RouteDefinition<TSchema, TSchema, TSchema>;

/** Identity function that infers the body, params and query types of a route. */
export function defineRoute<B extends TSchema = TSchema, P extends TSchema = TSchema, Q extends TSchema = TSchema>(
  route: RouteDefinition<B, P, Q>,
): AnyRoute {
  return route as unknown as AnyRoute;
}
