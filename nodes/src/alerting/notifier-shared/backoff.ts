/** Exponential back-off for a channel that is down. */
export interface BackoffPolicy {
  /** Delay before the first retry, in milliseconds. */
  initialMs: number;
  /** The delay never grows past this. */
  maxMs: number;
}

/**
 * The delay before retry number `attempt` (1 = first retry): doubling from
 * `initialMs` up to `maxMs`, then "equal jitter" (a random point in the upper
 * half), so many edge devices that lost the same mail server do not all come
 * back in the same second.
 */
export function retryDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** exponent);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
