// The HTTP endpoints `http in` nodes serve. Declared here, framework free, so
// the engine and the nodes never see express: the server implements it on its
// HTTPS listener, tests pass the in-memory one from runtime's testing folder.

export type HttpEndpointMethod = 'get' | 'post' | 'put' | 'delete' | 'patch';

/** What a flow sees as `msg.req` (the parts of an express request flows use). */
export interface HttpEndpointRequest {
  /** Upper case, as sent (`GET`). */
  method: string;
  /** The path below the endpoint root, as the node's `url` is written (`/sensor/42`). */
  path: string;
  /** Path and query string as received. */
  originalUrl: string;
  /** Express-style path parameters (`/sensor/:id` → `{ id: '42' }`). */
  params: Record<string, string>;
  query: Record<string, string | string[]>;
  /** Lower-case header names. */
  headers: Record<string, string | string[] | undefined>;
  cookies: Record<string, string>;
  /** Parsed body: object (JSON, urlencoded, multipart fields), string (text), Buffer (anything else); undefined without one. */
  body: unknown;
  /** Uploaded files of a multipart body, for an endpoint registered with `upload` (multer's shape, as in Node-RED). */
  files?: HttpEndpointFile[];
  /** The caller's address. */
  ip: string;
}

/** One uploaded file, as multer's memory storage gives it to Node-RED flows. */
export interface HttpEndpointFile {
  /** The form field it was sent in. */
  fieldname: string;
  /** The file name the client gave. */
  originalname: string;
  encoding: string;
  mimetype: string;
  buffer: Buffer;
  size: number;
}

/** What a flow answers with (built by the `http response` node). */
export interface HttpEndpointReply {
  statusCode: number;
  headers: Record<string, string>;
  /** Sent as is. */
  body: Buffer;
  /** Cookies to set: name → value, or `null` to clear. */
  cookies?: Record<string, string | { value: string; maxAge?: number; path?: string; httpOnly?: boolean } | null>;
}

/**
 * The answer handle: `msg.res`. A class instance, so message cloning shares it
 * (as Node-RED shares `msg.res`). Only the first reply counts.
 */
export interface HttpEndpointResponse {
  /** False once answered, or once the server gave up (timeout, client gone). */
  readonly open: boolean;
  /** Answer the request; returns false if it was already answered or timed out. */
  reply(reply: HttpEndpointReply): boolean;
}

export type HttpEndpointHandler = (req: HttpEndpointRequest, res: HttpEndpointResponse) => void;

export interface HttpEndpointRegistration {
  method: HttpEndpointMethod;
  /** Express syntax below the root: `/sensor/:id`. */
  path: string;
  /** The `http in` node, named in errors (duplicate endpoints). */
  nodeId: string;
  /** Parse multipart/form-data bodies into fields (`body`) and `files` (Node-RED's "accept file uploads"). */
  upload?: boolean;
  handler: HttpEndpointHandler;
}

export interface HttpEndpointsService {
  /** Where endpoints are served (`/endpoints`), for status texts and docs. */
  readonly root: string;
  /**
   * Serve an endpoint until the returned function is called. Throws an Error
   * naming both nodes when another node already serves this method and path.
   */
  register(registration: HttpEndpointRegistration): () => void;
}

interface TableEntry {
  registration: HttpEndpointRegistration;
  pattern: RegExp;
  names: string[];
}

/**
 * Which endpoint serves a request: express-style paths (`/a/:id`, `:id?`, `*`)
 * matched without a web framework, so the server and tests share one matcher
 * and the duplicate check. Pure data structure, no I/O.
 */
export class HttpEndpointTable {
  readonly #entries: TableEntry[] = [];

  add(registration: HttpEndpointRegistration): () => void {
    const path = normalizeEndpointPath(registration.path);
    const clash = this.#entries.find((e) => e.registration.method === registration.method && normalizeEndpointPath(e.registration.path) === path);
    if (clash) {
      throw new Error(
        `http in ${registration.nodeId}: ${registration.method.toUpperCase()} ${path} is already served by node ${clash.registration.nodeId}. ` +
          'Give one of the two nodes another URL or method.',
      );
    }
    const { pattern, names } = compileEndpointPath(path);
    const entry: TableEntry = { registration: { ...registration, path }, pattern, names };
    this.#entries.push(entry);
    return () => {
      const index = this.#entries.indexOf(entry);
      if (index >= 0) this.#entries.splice(index, 1);
    };
  }

  /** The endpoint for a method and path, with its path parameters; literal paths win over patterns. */
  match(method: string, path: string): { registration: HttpEndpointRegistration; params: Record<string, string> } | undefined {
    const wanted = method.toLowerCase();
    const candidates = this.#entries.filter((e) => e.registration.method === wanted);
    // Fewer parameters first: `/a/list` beats `/a/:id`, as a person reading the flow expects.
    candidates.sort((a, b) => a.names.length - b.names.length);
    for (const entry of candidates) {
      const found = entry.pattern.exec(path);
      if (!found) continue;
      const params: Record<string, string> = {};
      entry.names.forEach((name, i) => {
        const value = found[i + 1];
        if (value !== undefined) params[name] = safeDecode(value);
      });
      return { registration: entry.registration, params };
    }
    return undefined;
  }

  /** Whether some endpoint has this path with another method (answer 405 rather than 404). */
  hasPath(path: string): boolean {
    return this.#entries.some((e) => e.pattern.test(path));
  }

  get size(): number {
    return this.#entries.length;
  }
}

/** `sensor/:id/` → `/sensor/:id`: the form duplicates are compared in. */
export function normalizeEndpointPath(path: string): string {
  let out = path.trim();
  if (!out.startsWith('/')) out = `/${out}`;
  if (out.length > 1 && out.endsWith('/')) out = out.slice(0, -1);
  return out;
}

function compileEndpointPath(path: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  let source = '';
  for (const segment of path.split('/').slice(1)) {
    const param = /^:([A-Za-z_][A-Za-z0-9_]*)(\?)?$/.exec(segment);
    if (param) {
      names.push(param[1]!);
      source += param[2] ? '(?:/([^/]+))?' : '/([^/]+)';
    } else if (segment === '*') {
      names.push('0');
      source += '/(.*)';
    } else {
      source += `/${segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
    }
  }
  return { pattern: new RegExp(`^${source || ''}/?$`, 'i'), names };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
