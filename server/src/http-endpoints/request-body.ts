import type { IncomingMessage } from 'node:http';

/** A body over the limit: the server answers 413. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`The request body is larger than ${limit} bytes, the limit for flow endpoints (settings.json "httpNodeMaxBodyBytes").`);
  }
}

/** A body whose Content-Type promises JSON but that is not: the server answers 400. */
export class BadBodyError extends Error {}

/** Reads the whole body, refusing more than `limit` bytes as soon as they arrive. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(new BodyTooLargeError(limit));
  if (declared === 0 && req.headers['transfer-encoding'] === undefined) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        // Keep draining (without storing) so the 413 can be written on this connection.
        req.resume();
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * As Node-RED's http in (express body parsers): JSON → value, urlencoded →
 * object, text/* → string, anything else → Buffer.
 */
export function parseBody(body: Buffer | undefined, contentType: string | undefined): unknown {
  if (body === undefined) return undefined;
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json' || type.endsWith('+json')) {
    try {
      return JSON.parse(body.toString('utf8')) as unknown;
    } catch (error) {
      throw new BadBodyError(`The request body is not valid JSON (${(error as Error).message}); send JSON or another Content-Type.`);
    }
  }
  if (type === 'application/x-www-form-urlencoded') return searchParamsObject(new URLSearchParams(body.toString('utf8')));
  if (type.startsWith('text/')) return body.toString('utf8');
  return body;
}

/** Repeated names become arrays, as express's query parser does. */
export function searchParamsObject(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of params) {
    const existing = out[key];
    if (existing === undefined) out[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else out[key] = [existing, value];
  }
  return out;
}
