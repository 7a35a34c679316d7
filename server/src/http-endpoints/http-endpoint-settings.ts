import { normalizeEndpointPath } from '@loopedge/runtime';

/** How `http in` endpoints are served; from settings.json (Node-RED's names where Node-RED has one). */
export interface HttpEndpointSettings {
  /** Where endpoints live on the admin HTTPS server. Node-RED serves them at `/`; here the editor owns `/`. */
  root: string;
  /** `token`: the caller needs an API token or a session with `flows:read`; `none`: anyone who can reach the port. */
  auth: 'token' | 'none';
  /** A request the flow has not answered by then gets 504. */
  timeoutMs: number;
  /** Larger bodies get 413. */
  maxBodyBytes: number;
}

export const DEFAULT_HTTP_ENDPOINT_SETTINGS: HttpEndpointSettings = {
  root: '/endpoints',
  auth: 'token',
  timeoutMs: 30_000,
  maxBodyBytes: 1024 * 1024,
};

/** Reserved by the admin server itself: flows may not shadow the API, the setup page or the editor. */
const RESERVED_ROOTS = ['/', '/api', '/setup', '/socket.io'];

/**
 * Reads `httpNodeRoot`, `httpNodeAuth`, `httpNodeTimeoutMs` and
 * `httpNodeMaxBodyBytes` from the runtime settings. Throws an Error that names
 * the setting and what to write instead.
 */
export function parseHttpEndpointSettings(settings: Readonly<Record<string, unknown>>): HttpEndpointSettings {
  const out = { ...DEFAULT_HTTP_ENDPOINT_SETTINGS };
  const { httpNodeRoot, httpNodeAuth, httpNodeTimeoutMs, httpNodeMaxBodyBytes } = settings;
  if (httpNodeRoot !== undefined) {
    if (typeof httpNodeRoot !== 'string' || !/^\/?[A-Za-z0-9._~/-]+$/.test(httpNodeRoot)) {
      throw new Error(`settings.json "httpNodeRoot" must be a path such as "/endpoints", not ${JSON.stringify(httpNodeRoot)}`);
    }
    out.root = normalizeEndpointPath(httpNodeRoot);
    const clash = RESERVED_ROOTS.find((r) => out.root === r || (r !== '/' && out.root.startsWith(`${r}/`)));
    if (clash) throw new Error(`settings.json "httpNodeRoot" may not be "${out.root}": ${clash} belongs to the admin server and editor. Use e.g. "/endpoints"`);
  }
  if (httpNodeAuth !== undefined) {
    if (httpNodeAuth !== 'token' && httpNodeAuth !== 'none') throw new Error(`settings.json "httpNodeAuth" must be "token" or "none", not ${JSON.stringify(httpNodeAuth)}`);
    out.auth = httpNodeAuth;
  }
  out.timeoutMs = positive('httpNodeTimeoutMs', httpNodeTimeoutMs, out.timeoutMs);
  out.maxBodyBytes = positive('httpNodeMaxBodyBytes', httpNodeMaxBodyBytes, out.maxBodyBytes);
  return out;
}

function positive(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) throw new Error(`settings.json "${name}" must be a positive whole number, not ${JSON.stringify(value)}`);
  return value;
}
