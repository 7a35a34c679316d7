// The alert service: one place that owns alert state (active → acknowledged →
// cleared), its history and who is told about changes. Declared here, in the
// engine, because `alert` nodes use it through `node.host.alerts`; the server
// implements it over SQLite (server/src/alerts/) so alerts survive a restart,
// and node tests pass an in-memory one (nodes/src/alerting/shared/).
//
// Every method is synchronous: the SQLite implementation writes through
// better-sqlite3 (synchronous, WAL), so a raise is on disk before the alert
// node notifies anyone about it.

export type AlertSeverityName = 'critical' | 'major' | 'minor' | 'warning' | 'info';
export type AlertStateName = 'active' | 'acknowledged' | 'cleared';
/** 'renotify' is recorded too, so the history shows every time people were told. */
export type AlertTransitionName = 'raised' | 'renotify' | 'acknowledged' | 'cleared';

export const ALERT_SEVERITIES: readonly AlertSeverityName[] = ['critical', 'major', 'minor', 'warning', 'info'];
export const ALERT_STATES: readonly AlertStateName[] = ['active', 'acknowledged', 'cleared'];

/** Who raised an alert: an alert node, or (system alerts) the node whose trouble it reports. */
export interface AlertSource {
  nodeId: string;
  flowId: string;
  name?: string;
}

export interface AlertRecord {
  id: string;
  key: string;
  severity: AlertSeverityName;
  state: AlertStateName;
  title: string;
  message: string;
  source: AlertSource;
  /** The value that raised it (JSON-serialisable). */
  value?: unknown;
  /** ISO 8601 times. */
  raisedAt: string;
  updatedAt: string;
  acknowledgedAt?: string;
  acknowledgedBy?: string;
  acknowledgeNote?: string;
  clearedAt?: string;
  clearedBy?: string;
  /** Last time notifiers were told (raise or re-notify): re-notify timers restart from it. */
  lastNotifiedAt: string;
}

export interface AlertHistoryEntry {
  alertId: string;
  transition: AlertTransitionName;
  at: string;
  by?: string;
  note?: string;
  value?: unknown;
}

export interface RaiseAlertInput {
  key: string;
  severity: AlertSeverityName;
  title: string;
  message: string;
  source: AlertSource;
  value?: unknown;
}

export interface AlertChange {
  transition: AlertTransitionName;
  alert: AlertRecord;
  /** The user (acknowledge via the API) or 'system' / a node id. */
  by?: string;
  value?: unknown;
}

export interface AlertQuery {
  state?: AlertStateName;
  severity?: AlertSeverityName;
  key?: string;
  /** Alerts raised by this node. */
  nodeId?: string;
  /** Raised at or after / before (ISO 8601). */
  since?: string;
  until?: string;
  /** Default 100, at most 1000. */
  limit?: number;
  offset?: number;
}

export interface AlertPage {
  total: number;
  alerts: AlertRecord[];
}

export class AlertServiceError extends Error {
  constructor(readonly code: 'not-found' | 'conflict', message: string) {
    super(message);
    this.name = 'AlertServiceError';
  }
}

/**
 * Alert state and history.
 *
 * - `raise` is idempotent per key: while an alert with that key is open
 *   (active or acknowledged) it returns that alert with `created: false` and
 *   changes nothing, so a value that stays high never makes duplicates.
 * - `acknowledge` moves active → acknowledged (an acknowledged alert is not
 *   re-notified); acknowledging an acknowledged alert returns it unchanged;
 *   a cleared one throws AlertServiceError('conflict').
 * - `clear` moves an open alert to cleared; clearing a cleared one is a no-op.
 * - Listeners (`onChange`) hear every transition, synchronously, after it is
 *   stored: the alert node notifies from there (so an acknowledge made through
 *   the API reaches it), the server forwards them to the editor.
 *
 * System alerts (sources that are not alert nodes, e.g. a store-and-forward
 * queue that overflows) call `raise` / `clearKey` the same way, with the
 * raising node's `{ nodeId, flowId }` as source and a key of their own such
 * as `system:store-forward:<nodeId>`; they get history, the API and the live
 * event like any other alert (no alert node means no notifier config nodes).
 */
export interface AlertService {
  raise(input: RaiseAlertInput): { alert: AlertRecord; created: boolean };
  acknowledge(id: string, by: string, note?: string): AlertRecord;
  clear(id: string, by?: string, value?: unknown): AlertRecord;
  /** Clear the open alert with this key, if there is one. */
  clearKey(key: string, by?: string, value?: unknown): AlertRecord | undefined;
  /** Record that notifiers were told again ('renotify' in the history). */
  recordRenotify(id: string): AlertRecord;
  get(id: string): AlertRecord | undefined;
  /** The open alert (active or acknowledged) for a key. */
  openByKey(key: string): AlertRecord | undefined;
  /** Open alerts, optionally of one source node (alert nodes re-read theirs on start). */
  listOpen(nodeId?: string): AlertRecord[];
  history(id: string): AlertHistoryEntry[];
  query(query: AlertQuery): AlertPage;
  onChange(listener: (change: AlertChange) => void): () => void;
}
