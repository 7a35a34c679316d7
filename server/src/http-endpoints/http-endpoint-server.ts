import type { ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import {
  HttpEndpointTable,
  type HttpEndpointFile,
  type HttpEndpointReply,
  type HttpEndpointRegistration,
  type HttpEndpointResponse,
  type HttpEndpointsService,
  type Logger,
} from '@loopedge/runtime';
import type { Security } from '@loopedge/security';
import { checkCsrf, checkOrigin, credentialsOf, resolvePrincipal } from '../api/authenticate.js';
import { parseCookies } from '../api/cookies.js';
import { ApiError, toApiError } from '../api/errors.js';
import { BadBodyError, BodyTooLargeError, parseBody, readBody, searchParamsObject } from './request-body.js';
import { isMultipart, parseMultipart } from './multipart-body.js';
import type { HttpEndpointSettings } from './http-endpoint-settings.js';

/** The permission a caller needs when `httpNodeAuth` is `token`: anyone who may read the flows may call them. */
export const ENDPOINT_PERMISSION = 'flows:read';

/** `msg.res`: answers once; after a timeout or a closed connection it refuses quietly. */
class EndpointResponse implements HttpEndpointResponse {
  #answered = false;
  constructor(
    readonly res: ServerResponse,
    readonly onAnswered: () => void,
  ) {}

  get open(): boolean {
    return !this.#answered && !this.res.headersSent && !this.res.destroyed;
  }

  reply(reply: HttpEndpointReply): boolean {
    if (!this.open) return false;
    this.#answered = true;
    this.onAnswered();
    for (const [name, value] of Object.entries(reply.headers)) this.res.setHeader(name, value);
    const cookies = Object.entries(reply.cookies ?? {}).map(([name, value]) => serializeCookie(name, value));
    if (cookies.length > 0) this.res.setHeader('Set-Cookie', cookies);
    this.res.setHeader('Content-Length', String(reply.body.length));
    this.res.statusCode = reply.statusCode;
    this.res.end(reply.body);
    return true;
  }

  /** An answer from the server itself (timeouts, refusals), in the admin API's error shape. */
  fail(status: number, code: string, message: string): void {
    const body = Buffer.from(JSON.stringify({ error: { code, message } }));
    this.reply({ statusCode: status, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body });
  }
}

function serializeCookie(name: string, value: NonNullable<HttpEndpointReply['cookies']>[string]): string {
  if (value === null) return `${encodeURIComponent(name)}=; Path=/; Max-Age=0; Secure; SameSite=Lax`;
  const options = typeof value === 'string' ? { value } : value;
  const parts = [`${encodeURIComponent(name)}=${encodeURIComponent(options.value)}`, `Path=${options.path ?? '/'}`, 'Secure', 'SameSite=Lax'];
  if (options.maxAge !== undefined) parts.push(`Max-Age=${Math.floor(options.maxAge / 1000)}`);
  if (options.httpOnly) parts.push('HttpOnly');
  return parts.join('; ');
}

interface PendingRequest {
  response: EndpointResponse;
  timer?: NodeJS.Timeout;
}

/**
 * The endpoints of `http in` nodes, served on the admin HTTPS server below
 * `settings.root`. Nodes register and unregister as flows deploy; requests
 * are matched against the live table, so a deploy needs no router rebuild.
 */
export class HttpEndpointServer implements HttpEndpointsService {
  readonly #table = new HttpEndpointTable();
  readonly #pending = new Set<PendingRequest>();

  constructor(
    readonly settings: HttpEndpointSettings,
    readonly logger: Logger,
  ) {}

  get root(): string {
    return this.settings.root;
  }

  register(registration: HttpEndpointRegistration): () => void {
    return this.#table.add(registration);
  }

  /** Express middleware for `app.use(root, ...)`; the security package answers who is calling. */
  handler(security: Security): (req: Request, res: Response, next: NextFunction) => void {
    return (req, res, next) => {
      this.#serve(security, req, res).catch(next);
    };
  }

  /** Answers every request still waiting for its flow (server shutdown). */
  close(): void {
    for (const pending of [...this.#pending]) {
      clearTimeout(pending.timer);
      pending.response.fail(503, 'shutting-down', 'The server is stopping; try again when it is back.');
    }
    this.#pending.clear();
  }

  async #serve(security: Security, req: Request, res: Response): Promise<void> {
    // Mounted below the root, express leaves the rest of the path in req.url.
    const url = new URL(req.url, 'https://endpoint.invalid');
    const path = url.pathname;
    // Answers from the server itself before the flow is involved.
    const response = new EndpointResponse(res, () => undefined);
    const found = this.#table.match(req.method === 'HEAD' ? 'get' : req.method, path);
    if (!found) {
      const allowed = this.#table.hasPath(path);
      response.fail(allowed ? 405 : 404, allowed ? 'method-not-allowed' : 'not-found', allowed ? `${req.method} is not served at ${this.root}${path}; another method is.` : `No flow endpoint ${req.method} ${this.root}${path}.`);
      return;
    }

    // 1. Who is calling (before reading any body, so strangers cannot make the server parse).
    if (this.settings.auth === 'token') {
      try {
        checkOrigin(req.method, req.headers);
        const principal = await resolvePrincipal(credentialsOf(req.headers), security);
        if (!principal) throw new ApiError('unauthenticated', `Flow endpoints need an API token (Authorization: Bearer ...) or a signed-in session with "${ENDPOINT_PERMISSION}" (settings.json "httpNodeAuth").`);
        if (!principal.permissions.includes(ENDPOINT_PERMISSION)) throw new ApiError('forbidden', `Flow endpoints need the "${ENDPOINT_PERMISSION}" permission, which this caller does not have.`);
        checkCsrf(principal, req.method, req.headers);
      } catch (error) {
        const refusal = toApiError(error);
        response.fail(refusal.status, refusal.code, refusal.message);
        return;
      }
    }

    // 2. Body within the limit, parsed as Node-RED's http in does (multipart only where the node accepts uploads).
    const { registration, params } = found;
    let body: unknown;
    let files: HttpEndpointFile[] | undefined;
    try {
      const raw = await readBody(req, this.settings.maxBodyBytes);
      const contentType = req.headers['content-type'];
      if (registration.upload && raw !== undefined && isMultipart(contentType)) {
        const form = await parseMultipart(raw, contentType, this.settings.maxBodyBytes);
        body = form.fields;
        files = form.files;
      } else body = parseBody(raw, contentType);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        res.setHeader('Connection', 'close');
        response.fail(413, 'payload-too-large', error.message);
      } else if (error instanceof BadBodyError) response.fail(400, 'bad-body', error.message);
      else throw error;
      return;
    }

    // 3. Hand it to the flow; 504 if it never answers. One handle for the
    //    flow, the timeout and shutdown, so only the first answer counts.
    const pending: PendingRequest = { response: new EndpointResponse(res, () => finish()) };
    const finish = (): void => {
      clearTimeout(pending.timer);
      this.#pending.delete(pending);
    };
    const answered = pending.response;
    pending.timer = setTimeout(() => {
      this.logger.warn({ node: registration.nodeId, path: `${this.root}${path}` }, 'A flow endpoint did not answer in time');
      answered.fail(504, 'flow-timeout', `The flow of http in node ${registration.nodeId} did not answer within ${this.settings.timeoutMs} ms. Wire it to an http response node (settings.json "httpNodeTimeoutMs" sets the wait).`);
    }, this.settings.timeoutMs);
    pending.timer.unref();
    this.#pending.add(pending);
    res.on('close', finish);
    registration.handler(
      {
        method: req.method,
        path,
        originalUrl: req.originalUrl,
        params,
        query: searchParamsObject(url.searchParams),
        headers: { ...req.headers },
        cookies: parseCookies(req.headers.cookie),
        body,
        ...(registration.upload ? { files: files ?? [] } : {}),
        ip: req.socket.remoteAddress ?? 'unknown',
      },
      answered,
    );
  }
}

