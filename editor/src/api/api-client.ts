import { toApiRequestError, ApiRequestError } from './api-error.js';
import { CSRF_COOKIE, CSRF_HEADER, readCookie } from './cookies.js';
import { singleFlight } from './single-flight.js';
import type { Me, SessionInfo } from './types.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  /** JSON-encoded unless it is a string, Blob or ArrayBuffer (then sent as is with `contentType`). */
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined>;
  /** Skip the refresh-and-retry on an expired session (the auth routes themselves). */
  noRefresh?: boolean;
  /** Skip the "Confirm it's you" dialog on 403 reauth-required (the reauth call itself). */
  noReauth?: boolean;
  signal?: AbortSignal;
}

export interface ApiClientOptions {
  /** Defaults to the page's origin. */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** Where the CSRF cookie is read from; `document.cookie` in the browser. */
  cookies?: () => string;
  /** Called when the session is gone for good (refresh refused): the app shows the login page. */
  onSignedOut?: () => void;
}

/** What the server said when it asked for step-up: shown in the "Confirm it's you" dialog. */
export interface ReauthChallenge {
  message: string;
  /** The user has two-factor sign-in: the dialog asks for a code too. */
  twoFactor: boolean;
}

/**
 * Asks the person to confirm their password (the app's dialog) and POSTs
 * /api/auth/reauth; resolves true once confirmed, false when they cancel.
 */
export type ReauthHandler = (challenge: ReauthChallenge) => Promise<boolean>;

/**
 * The editor's one door to the admin API: same-origin cookies, the CSRF
 * header on writes, JSON in and out, errors as ApiRequestError, and a
 * transparent refresh (single flight) when the access token has expired,
 * and step-up: a trust-changing call answered 403 reauth-required opens the
 * "Confirm it's you" dialog and is retried once after the confirmation.
 */
export class ApiClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly cookies: () => string;
  private readonly signedOutListeners = new Set<() => void>();
  /** Refresh the session once for any number of callers. */
  readonly refresh: () => Promise<SessionInfo>;
  /** Counts successful refreshes: a caller that saw an expired token before the latest one need not refresh again. */
  private generation = 0;
  private reauthHandler: ReauthHandler | undefined;
  /** One dialog for any number of calls refused at the same moment. */
  private reauthInFlight: Promise<boolean> | undefined;

  constructor(options: ApiClientOptions = {}) {
    this.baseUrl = options.baseUrl ?? '';
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.cookies = options.cookies ?? (() => (typeof document === 'undefined' ? '' : document.cookie));
    if (options.onSignedOut) this.signedOutListeners.add(options.onSignedOut);
    this.refresh = singleFlight(async () => {
      const session = await this.request<SessionInfo>('POST', '/api/auth/refresh', { noRefresh: true });
      this.generation++;
      return session;
    });
  }

  /** Which session refresh the cookies are at now (see refreshSince). */
  get sessionGeneration(): number {
    return this.generation;
  }

  /**
   * Refresh, unless one already succeeded since `generation` (what the caller
   * had when its access token was found expired): a request that was in flight
   * during a refresh only needs to be sent again. Every refresh rotates the
   * refresh token, so fewer refreshes mean fewer chances of a reuse.
   */
  async refreshSince(generation: number): Promise<void> {
    if (this.generation !== generation) return;
    await this.refresh();
  }

  /** Subscribe to "the session ended" (refresh refused). Returns the unsubscribe function. */
  onSignedOut(listener: () => void): () => void {
    this.signedOutListeners.add(listener);
    return () => this.signedOutListeners.delete(listener);
  }

  /** The app's "Confirm it's you" dialog. Returns the unsubscribe function. */
  onReauthRequired(handler: ReauthHandler): () => void {
    this.reauthHandler = handler;
    return () => {
      if (this.reauthHandler === handler) this.reauthHandler = undefined;
    };
  }

  /** Confirms the password (and a two-factor or recovery code) so this session may change trust for 5 minutes. */
  reauth(password: string, code?: string): Promise<{ freshUntil: number }> {
    return this.post('/api/auth/reauth', code ? { password, code } : { password }, { noReauth: true });
  }

  /** The CSRF token the server set for this session, if signed in. */
  csrfToken(): string | undefined {
    return readCookie(this.cookies(), CSRF_COOKIE);
  }

  get<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('GET', path, options);
  }
  post<T>(path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('POST', path, { ...options, body });
  }
  put<T>(path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('PUT', path, { ...options, body });
  }
  patch<T>(path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('PATCH', path, { ...options, body });
  }
  delete<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('DELETE', path, options);
  }

  /** Who is signed in and what they may do; undefined when nobody is. */
  async me(): Promise<Me | undefined> {
    try {
      return await this.get<Me>('/api/auth/me');
    } catch (error) {
      if (error instanceof ApiRequestError && error.status === 401) return undefined;
      throw error;
    }
  }

  async request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<T> {
    try {
      return await this.requestOnce<T>(method, path, options);
    } catch (error) {
      if (!(error instanceof ApiRequestError) || error.code !== 'reauth-required' || options.noReauth) throw error;
      const confirmed = await this.confirmIdentity({ message: error.message, twoFactor: error.details.twoFactor === true });
      if (!confirmed) {
        throw new ApiRequestError(403, 'reauth-cancelled', `Not done: ${method} ${path} changes what this device trusts and needs you to confirm your password first.`);
      }
      // Retried once: a second refusal (the window passed meanwhile) is shown as is.
      return this.requestOnce<T>(method, path, options);
    }
  }

  private confirmIdentity(challenge: ReauthChallenge): Promise<boolean> {
    const handler = this.reauthHandler;
    if (!handler) return Promise.resolve(false);
    this.reauthInFlight ??= handler(challenge).finally(() => {
      this.reauthInFlight = undefined;
    });
    return this.reauthInFlight;
  }

  private async requestOnce<T>(method: HttpMethod, path: string, options: RequestOptions): Promise<T> {
    const generation = this.generation;
    const response = await this.send(method, path, options);
    if (response.status === 401 && !options.noRefresh) {
      const body = await readBody(response);
      const code = toApiRequestError(401, body, path).code;
      // An expired access token is routine: refresh once and retry. Anything else is "signed out".
      if (code === 'token-expired' || code === 'unauthenticated') {
        const refreshed = await this.refreshSince(generation).then(
          () => true,
          () => false,
        );
        if (refreshed) return this.finish<T>(await this.send(method, path, options), method, path);
        this.notifySignedOut();
      }
      throw toApiRequestError(401, body, `${method} ${path}`);
    }
    return this.finish<T>(response, method, path);
  }

  private notifySignedOut(): void {
    for (const listener of this.signedOutListeners) listener();
  }

  private async finish<T>(response: Response, method: HttpMethod, path: string): Promise<T> {
    const body = await readBody(response);
    if (!response.ok) throw toApiRequestError(response.status, body, `${method} ${path}`);
    return body as T;
  }

  private send(method: HttpMethod, path: string, options: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    let body: BodyInit | undefined;
    if (options.body !== undefined) {
      if (typeof options.body === 'string' || options.body instanceof Blob || options.body instanceof ArrayBuffer) {
        body = options.body;
        headers['content-type'] = options.contentType ?? 'application/octet-stream';
      } else {
        body = JSON.stringify(options.body);
        headers['content-type'] = 'application/json';
      }
    }
    if (method !== 'GET') {
      const csrf = this.csrfToken();
      if (csrf) headers[CSRF_HEADER] = csrf;
    }
    const init: RequestInit = { method, headers, credentials: 'same-origin', cache: 'no-store' };
    if (body !== undefined) init.body = body;
    if (options.signal) init.signal = options.signal;
    return this.fetchImpl(this.baseUrl + path + queryString(options.query), init);
  }
}

export function queryString(query: RequestOptions['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

async function readBody(response: Response): Promise<unknown> {
  if (response.status === 204) return undefined;
  const text = await response.text();
  if (!text) return undefined;
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('json')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
