// An AlertService kept in memory, for node tests and embedding without a data
// folder. Same rules as the server's SQLite one (server/src/alerts/): one open
// alert per key, transitions recorded in order, listeners told after each.
import { randomUUID } from 'node:crypto';
import { AlertServiceError, type AlertChange, type AlertHistoryEntry, type AlertPage, type AlertQuery, type AlertRecord, type AlertService, type RaiseAlertInput } from '@loopedge/runtime';

export class MemoryAlertService implements AlertService {
  readonly #alerts = new Map<string, AlertRecord>();
  readonly #history = new Map<string, AlertHistoryEntry[]>();
  readonly #listeners = new Set<(change: AlertChange) => void>();

  constructor(private readonly clock: () => number = Date.now) {}

  raise(input: RaiseAlertInput): { alert: AlertRecord; created: boolean } {
    const open = this.openByKey(input.key);
    if (open) return { alert: { ...open }, created: false };
    const at = this.#now();
    const alert: AlertRecord = {
      id: randomUUID(),
      key: input.key,
      severity: input.severity,
      state: 'active',
      title: input.title,
      message: input.message,
      source: { ...input.source },
      ...(input.value !== undefined ? { value: input.value } : {}),
      raisedAt: at,
      updatedAt: at,
      lastNotifiedAt: at,
    };
    this.#alerts.set(alert.id, alert);
    this.#record({ alertId: alert.id, transition: 'raised', at, ...(input.value !== undefined ? { value: input.value } : {}) });
    this.#emit({ transition: 'raised', alert, ...(input.value !== undefined ? { value: input.value } : {}) });
    return { alert: { ...alert }, created: true };
  }

  acknowledge(id: string, by: string, note?: string): AlertRecord {
    const alert = this.#require(id);
    if (alert.state === 'cleared') throw new AlertServiceError('conflict', `Alert ${id} is already cleared; there is nothing to acknowledge.`);
    if (alert.state === 'acknowledged') return { ...alert };
    const at = this.#now();
    Object.assign(alert, { state: 'acknowledged', updatedAt: at, acknowledgedAt: at, acknowledgedBy: by, ...(note ? { acknowledgeNote: note } : {}) });
    this.#record({ alertId: id, transition: 'acknowledged', at, by, ...(note ? { note } : {}) });
    this.#emit({ transition: 'acknowledged', alert, by });
    return { ...alert };
  }

  clear(id: string, by?: string, value?: unknown): AlertRecord {
    const alert = this.#require(id);
    if (alert.state === 'cleared') return { ...alert };
    const at = this.#now();
    Object.assign(alert, { state: 'cleared', updatedAt: at, clearedAt: at, ...(by ? { clearedBy: by } : {}) });
    this.#record({ alertId: id, transition: 'cleared', at, ...(by ? { by } : {}), ...(value !== undefined ? { value } : {}) });
    this.#emit({ transition: 'cleared', alert, ...(by ? { by } : {}), ...(value !== undefined ? { value } : {}) });
    return { ...alert };
  }

  clearKey(key: string, by?: string, value?: unknown): AlertRecord | undefined {
    const open = this.openByKey(key);
    return open ? this.clear(open.id, by, value) : undefined;
  }

  recordRenotify(id: string): AlertRecord {
    const alert = this.#require(id);
    const at = this.#now();
    Object.assign(alert, { lastNotifiedAt: at, updatedAt: at });
    this.#record({ alertId: id, transition: 'renotify', at });
    this.#emit({ transition: 'renotify', alert });
    return { ...alert };
  }

  get(id: string): AlertRecord | undefined {
    const alert = this.#alerts.get(id);
    return alert ? { ...alert } : undefined;
  }

  openByKey(key: string): AlertRecord | undefined {
    for (const alert of this.#alerts.values()) if (alert.key === key && alert.state !== 'cleared') return { ...alert };
    return undefined;
  }

  listOpen(nodeId?: string): AlertRecord[] {
    return [...this.#alerts.values()].filter((a) => a.state !== 'cleared' && (nodeId === undefined || a.source.nodeId === nodeId)).map((a) => ({ ...a }));
  }

  history(id: string): AlertHistoryEntry[] {
    return (this.#history.get(id) ?? []).map((entry) => ({ ...entry }));
  }

  query(query: AlertQuery): AlertPage {
    const matches = [...this.#alerts.values()]
      .filter((a) => (!query.state || a.state === query.state) && (!query.severity || a.severity === query.severity) && (!query.key || a.key === query.key))
      .filter((a) => (!query.nodeId || a.source.nodeId === query.nodeId) && (!query.since || a.raisedAt >= query.since) && (!query.until || a.raisedAt < query.until))
      .reverse();
    const offset = query.offset ?? 0;
    const limit = Math.min(query.limit ?? 100, 1000);
    return { total: matches.length, alerts: matches.slice(offset, offset + limit).map((a) => ({ ...a })) };
  }

  onChange(listener: (change: AlertChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #now(): string {
    return new Date(this.clock()).toISOString();
  }

  #require(id: string): AlertRecord {
    const alert = this.#alerts.get(id);
    if (!alert) throw new AlertServiceError('not-found', `No alert "${id}".`);
    return alert;
  }

  #record(entry: AlertHistoryEntry): void {
    const list = this.#history.get(entry.alertId) ?? [];
    list.push(entry);
    this.#history.set(entry.alertId, list);
  }

  #emit(change: AlertChange): void {
    const snapshot = { ...change, alert: { ...change.alert } };
    // A listener that throws must not stop the others or undo the stored transition.
    for (const listener of [...this.#listeners]) {
      try {
        listener(snapshot);
      } catch {
        /* listeners report their own errors */
      }
    }
  }
}
