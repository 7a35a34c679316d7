import { HttpEndpointTable, type HttpEndpointRegistration, type HttpEndpointReply, type HttpEndpointResponse, type HttpEndpointsService } from '@loopedge/runtime';

/** A reply handle that resolves a promise: the in-memory stand-in for the server's socket. */
class MemoryResponse implements HttpEndpointResponse {
  #answered = false;
  constructor(readonly resolve: (reply: HttpEndpointReply) => void) {}
  get open(): boolean {
    return !this.#answered;
  }
  reply(reply: HttpEndpointReply): boolean {
    if (this.#answered) return false;
    this.#answered = true;
    this.resolve(reply);
    return true;
  }
}

export interface MemoryRequest {
  query?: Record<string, string | string[]>;
  body?: unknown;
  headers?: Record<string, string>;
  cookies?: Record<string, string>;
}

/**
 * The endpoint service for tests through the engine alone: the same matcher
 * and duplicate check as the server's, requests made by calling `request()`.
 */
export class MemoryHttpEndpoints implements HttpEndpointsService {
  readonly root = '/endpoints';
  readonly table = new HttpEndpointTable();

  register(registration: HttpEndpointRegistration): () => void {
    return this.table.add(registration);
  }

  /** Resolves with the flow's reply; rejects when no endpoint matches. */
  request(method: string, path: string, request: MemoryRequest = {}): Promise<HttpEndpointReply> {
    const found = this.table.match(method, path);
    if (!found) return Promise.reject(new Error(`no endpoint ${method} ${path}`));
    return new Promise((resolve) => {
      found.registration.handler(
        {
          method: method.toUpperCase(),
          path,
          originalUrl: `${this.root}${path}`,
          params: found.params,
          query: request.query ?? {},
          headers: request.headers ?? {},
          cookies: request.cookies ?? {},
          body: request.body,
          ip: '127.0.0.1',
        },
        new MemoryResponse(resolve),
      );
    });
  }
}
