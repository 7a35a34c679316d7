import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header that carries the signature: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const SIGNATURE_HEADER = 'X-LoopEdge-Signature';
export const DELIVERY_HEADER = 'X-LoopEdge-Delivery';

/** The signature header value for a body sent at `timestamp` (unix seconds). */
export function signWebhookBody(secret: string, body: string, timestamp: number): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/**
 * What a receiver does (see README): recompute the HMAC over "t.body" with the
 * shared secret, compare in constant time, and refuse a timestamp older than
 * the tolerance (a replayed request). Returns why it failed, or undefined.
 */
export function verifyWebhookSignature(header: string | undefined, body: string, secret: string, nowSeconds: number, toleranceSeconds = 300): string | undefined {
  if (!header) return `no ${SIGNATURE_HEADER} header`;
  const parts = new Map(header.split(',').map((part) => part.trim().split('=', 2) as [string, string]));
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1') ?? '';
  if (!Number.isInteger(t) || !/^[0-9a-f]{64}$/.test(v1)) return 'malformed signature header';
  if (Math.abs(nowSeconds - t) > toleranceSeconds) return `timestamp ${t} is outside the ${toleranceSeconds} s tolerance`;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(v1, 'hex')) ? undefined : 'signature does not match';
}
