import http from 'node:http';
import https from 'node:https';

/**
 * One HTTP(S) exchange with redirects and an overall deadline, on node:http so
 * a GET may carry a body (Node-RED's paytoqs "body") and keep-alive agents can
 * be kept per node ("persist").
 */

export interface OutgoingRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: Buffer;
  timeoutMs: number;
  maxRedirects: number;
  agents?: { http: http.Agent; https: https.Agent };
  signal?: AbortSignal;
}

export interface IncomingResult {
  statusCode: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  responseUrl: string;
  redirectList: Array<{ location: string }>;
}

/** Raised when the deadline passes; Node-RED reports it as "no response". */
export class RequestTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export async function sendRequest(request: OutgoingRequest): Promise<IncomingResult> {
  const deadline = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([deadline, request.signal]) : deadline;
  const redirectList: Array<{ location: string }> = [];
  let { url, method, body } = request;
  for (;;) {
    const response = await exchange(url, method, request.headers, body, signal, request);
    const location = response.headers.location;
    if (!REDIRECTS.has(response.statusCode) || !location || redirectList.length >= request.maxRedirects) {
      return { ...response, responseUrl: url.toString(), redirectList };
    }
    url = new URL(location, url);
    redirectList.push({ location: url.toString() });
    // 303 means "look at this with GET"; the others repeat the same request.
    if (response.statusCode === 303 && method !== 'HEAD') {
      method = 'GET';
      body = undefined;
    }
  }
}

function exchange(url: URL, method: string, headers: Record<string, string>, body: Buffer | undefined, signal: AbortSignal, request: OutgoingRequest): Promise<Omit<IncomingResult, 'responseUrl' | 'redirectList'>> {
  const secure = url.protocol === 'https:';
  const agent = request.agents ? (secure ? request.agents.https : request.agents.http) : undefined;
  const outgoing = { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) };
  return new Promise((resolve, reject) => {
    const fail = (err: Error): void => reject(signal.aborted && signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError' ? new RequestTimeoutError(`no response within ${request.timeoutMs} ms`) : err);
    const req = (secure ? https : http).request(url, { method, headers: outgoing, signal, ...(agent ? { agent } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end(body);
  });
}
