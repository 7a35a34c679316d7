import { request, type RequestOptions } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';

export interface ApiResponse<T = unknown> {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** Parsed JSON when the response is JSON, else undefined. */
  body: T;
}

export interface RequestExtras {
  headers?: Record<string, string>;
  /** Sent as is (for malformed bodies); otherwise `body` is JSON-encoded. */
  rawBody?: string | Buffer;
  /** Leave out the X-CSRF-Token header a signed-in client sends on writes. */
  withoutCsrf?: boolean;
}

/**
 * A test client for the admin API over real HTTPS, trusting only the device
 * CA. Keeps cookies like a browser would (without path scoping) and sends the
 * CSRF token on writes, so tests read like the editor's calls.
 */
export class ApiClient {
  readonly cookies = new Map<string, string>();
  /** An API token to send as `Authorization: Bearer`. */
  bearer: string | undefined;

  constructor(
    readonly baseUrl: string,
    readonly ca: string,
    /** Source address to connect from (any 127.x.y.z on Linux), to act as distinct clients. */
    readonly localAddress?: string,
  ) {}

  get csrfToken(): string | undefined {
    return this.cookies.get('__Host-loopedge-csrf');
  }

  get cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  get<T = unknown>(path: string, extras?: RequestExtras): Promise<ApiResponse<T>> {
    return this.request<T>('GET', path, undefined, extras);
  }

  post<T = unknown>(path: string, body?: unknown, extras?: RequestExtras): Promise<ApiResponse<T>> {
    return this.request<T>('POST', path, body, extras);
  }

  async request<T = unknown>(method: string, path: string, body?: unknown, extras: RequestExtras = {}): Promise<ApiResponse<T>> {
    const url = new URL(path, this.baseUrl);
    const payload = extras.rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (payload !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    if (this.cookies.size > 0) headers.Cookie = this.cookieHeader;
    if (this.bearer) headers.Authorization = `Bearer ${this.bearer}`;
    if (method !== 'GET' && !extras.withoutCsrf && this.csrfToken) headers['X-CSRF-Token'] = this.csrfToken;
    Object.assign(headers, extras.headers);
    const options: RequestOptions = { method, headers, ca: this.ca, servername: 'localhost', agent: false };
    if (this.localAddress) options.localAddress = this.localAddress;
    return new Promise((resolve, reject) => {
      const req = request(url, options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          this.#storeCookies(res.headers['set-cookie'] ?? []);
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          if (/json/.test(res.headers['content-type'] ?? '')) {
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = undefined;
            }
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: parsed as T });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  async login(username: string, password: string, extra: { totp?: string; recoveryCode?: string } = {}): Promise<ApiResponse> {
    return this.post('/api/auth/login', { username, password, ...extra });
  }

  /**
   * Step-up: confirms the password (and the two-factor code) so this session may
   * take trust-changing actions for 5 minutes. Throws when the server refuses.
   */
  async reauth(password: string, code?: string): Promise<ApiResponse<{ freshUntil: number }>> {
    const response = await this.post<{ freshUntil: number }>('/api/auth/reauth', { password, ...(code !== undefined ? { code } : {}) });
    if (response.status !== 200) throw new Error(`Re-authentication failed: ${response.status} ${response.text}`);
    return response;
  }

  #storeCookies(lines: string[]): void {
    for (const line of lines) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]!) < Date.now()));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, decodeURIComponent(value));
    }
  }
}
