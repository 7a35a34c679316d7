// The contract between the `alert` node and the notifier config nodes
// (`notify-email`, `notify-webhook`, `notify-mqtt`): the alert node decides
// WHEN to notify (raise, re-notify, acknowledge, clear); a notifier decides HOW
// (queue, rate limit, retry with back-off). One type, so neither side guesses.

export type AlertSeverity = 'critical' | 'major' | 'minor' | 'warning' | 'info';
export type AlertState = 'active' | 'acknowledged' | 'cleared';
export type AlertTransition = 'raised' | 'renotify' | 'acknowledged' | 'cleared';

export interface AlertNotification {
  /** Stable id of this alert occurrence (a new one each time the key is raised after clearing). */
  alertId: string;
  /** The deduplication key: one active alert per key. */
  key: string;
  severity: AlertSeverity;
  state: AlertState;
  transition: AlertTransition;
  /** One line, already rendered from the alert node's template. */
  title: string;
  /** Longer text, already rendered. */
  message: string;
  /** The alert node that raised it. */
  source: { nodeId: string; flowId: string; name?: string };
  /** The value that triggered the transition, if any (JSON-serialisable). */
  value?: unknown;
  /** ISO 8601: when this transition happened, and when the alert was first raised. */
  at: string;
  raisedAt: string;
  /** Who acknowledged (transition 'acknowledged'). */
  acknowledgedBy?: string;
}

/**
 * What a notifier config node exposes as its `api`. `notify` returns at once:
 * the notifier owns delivery (queue, storm limit, retries) and must never throw
 * into the alert node.
 */
export interface NotifierApi {
  readonly kind: 'notifier';
  notify(notification: AlertNotification): void;
}

export function isNotifierApi(value: unknown): value is NotifierApi {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'notifier' && typeof (value as { notify?: unknown }).notify === 'function';
}
