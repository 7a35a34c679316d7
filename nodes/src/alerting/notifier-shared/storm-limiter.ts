import type { AlertSeverity, AlertTransition } from '../shared/alert-notification.js';
import type { PendingNotification } from './notification-queue.js';

const WINDOW_MS = 60_000;
/** Keys listed by name in a summary; the rest are counted. */
const MAX_KEYS_LISTED = 10;

/** What a notifier sends in place of the notifications a storm held back. */
export interface StormSummary {
  /** How many notifications it stands for. */
  count: number;
  transitions: Record<AlertTransition, number>;
  /** Raised (first or re-notified) notifications per severity. */
  raisedBySeverity: Partial<Record<AlertSeverity, number>>;
  /** Every distinct key, in order of first appearance. */
  keys: string[];
  /** ISO 8601: when the first and the last held notification happened. */
  firstAt: string;
  lastAt: string;
  /** One line, e.g. "37 more alert notifications in the last minute". */
  title: string;
  /** The title plus the breakdown: "...: 30 raised (12 critical), 7 cleared; keys: a, b". */
  text: string;
}

/**
 * Storm protection for one channel: at most `maxPerMinute` deliveries in any
 * sliding minute. Successful deliveries count; failed attempts notified nobody.
 */
export class StormLimiter {
  readonly #sent: number[] = [];

  constructor(readonly maxPerMinute: number) {
    if (!Number.isInteger(maxPerMinute) || maxPerMinute < 1) throw new Error(`maxPerMinute must be a whole number >= 1, not ${maxPerMinute}`);
  }

  /** Deliveries still allowed in the minute ending now. */
  available(now: number): number {
    while (this.#sent.length > 0 && this.#sent[0]! <= now - WINDOW_MS) this.#sent.shift();
    return this.maxPerMinute - this.#sent.length;
  }

  /** When the next delivery is allowed (now, if one is). */
  nextSlotAt(now: number): number {
    return this.available(now) > 0 ? now : this.#sent[0]! + WINDOW_MS;
  }

  record(now: number): void {
    this.#sent.push(now);
  }
}

/**
 * What to deliver next from a queue of `queued` notifications with `budget`
 * slots left this minute: one notification on its own while the slots cover
 * the queue; when more wait than slots remain, the last slot of the minute
 * carries ONE summary of everything waiting, so operators hear of the storm
 * at once instead of after a minute of silence.
 */
export function nextDelivery(queued: number, budget: number): 'none' | 'wait' | 'single' | 'summary' {
  if (queued === 0) return 'none';
  if (budget <= 0) return 'wait';
  if (queued > budget && budget === 1 && queued > 1) return 'summary';
  return 'single';
}

/** `remaining`: notifications still waiting beyond this summary (a capped summary after a long outage). */
export function summarize(pending: readonly PendingNotification[], now: number, remaining = 0): StormSummary {
  const transitions: Record<AlertTransition, number> = { raised: 0, renotify: 0, acknowledged: 0, cleared: 0 };
  const raisedBySeverity: Partial<Record<AlertSeverity, number>> = {};
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const { notification: n } of pending) {
    transitions[n.transition] = (transitions[n.transition] ?? 0) + 1;
    if (n.transition === 'raised' || n.transition === 'renotify') raisedBySeverity[n.severity] = (raisedBySeverity[n.severity] ?? 0) + 1;
    if (!seen.has(n.key)) {
      seen.add(n.key);
      keys.push(n.key);
    }
  }
  const count = pending.length;
  const oldestQueuedAt = Math.min(...pending.map((p) => p.queuedAt));
  const minutes = Math.ceil((now - oldestQueuedAt) / WINDOW_MS);
  const span = minutes <= 1 ? 'in the last minute' : `in the last ${minutes} minutes`;
  const title = `${count} more alert notification${count === 1 ? '' : 's'} ${span}`;
  const raised = transitions.raised + transitions.renotify;
  const parts: string[] = [];
  if (raised > 0) {
    const critical = raisedBySeverity.critical ?? 0;
    parts.push(`${raised} raised${critical > 0 ? ` (${critical} critical)` : ''}`);
  }
  if (transitions.acknowledged > 0) parts.push(`${transitions.acknowledged} acknowledged`);
  if (transitions.cleared > 0) parts.push(`${transitions.cleared} cleared`);
  const listed = keys.slice(0, MAX_KEYS_LISTED).join(', ') + (keys.length > MAX_KEYS_LISTED ? ` and ${keys.length - MAX_KEYS_LISTED} more` : '');
  const times = pending.map((p) => p.notification.at).sort();
  return {
    count,
    transitions,
    raisedBySeverity,
    keys,
    firstAt: times[0] ?? new Date(now).toISOString(),
    lastAt: times.at(-1) ?? new Date(now).toISOString(),
    title,
    text: `${title}: ${parts.join(', ')}; keys: ${listed}${remaining > 0 ? `; ${remaining} more follow` : ''}`,
  };
}
