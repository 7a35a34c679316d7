// Alerts and their history in SQLite (alerts.sqlite in the data folder), so
// an alert raised before a restart is still open after it and operators can
// look back over what happened. better-sqlite3 is synchronous: a transition is
// committed (WAL) before any listener (alert node, editor) hears of it.
import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { openPrivateDatabase } from '@loopedge/runtime';
import {
  AlertServiceError,
  type AlertChange,
  type AlertHistoryEntry,
  type AlertPage,
  type AlertQuery,
  type AlertRecord,
  type AlertService,
  type AlertSeverityName,
  type AlertStateName,
  type AlertTransitionName,
  type RaiseAlertInput,
} from '@loopedge/runtime';

export const ALERTS_DATABASE_FILE = 'alerts.sqlite';
const SCHEMA_VERSION = 1;

// The partial unique index is the dedup rule itself: at most one open alert per key,
// even if two writers raced.
const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS alerts (
  id TEXT PRIMARY KEY,
  key TEXT NOT NULL,
  severity TEXT NOT NULL,
  state TEXT NOT NULL,
  title TEXT NOT NULL,
  message TEXT NOT NULL,
  source_node TEXT NOT NULL,
  source_flow TEXT NOT NULL,
  source_name TEXT,
  value TEXT,
  raised_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  acknowledged_at TEXT,
  acknowledged_by TEXT,
  acknowledge_note TEXT,
  cleared_at TEXT,
  cleared_by TEXT,
  last_notified_at TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS alerts_one_open_per_key ON alerts(key) WHERE state <> 'cleared';
CREATE INDEX IF NOT EXISTS alerts_raised_at ON alerts(raised_at);
CREATE INDEX IF NOT EXISTS alerts_source_node ON alerts(source_node, state);
CREATE TABLE IF NOT EXISTS alert_history (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  alert_id TEXT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
  transition TEXT NOT NULL,
  at TEXT NOT NULL,
  by TEXT,
  note TEXT,
  value TEXT
);
CREATE INDEX IF NOT EXISTS alert_history_alert ON alert_history(alert_id, seq);
`;

interface AlertRow {
  id: string;
  key: string;
  severity: string;
  state: string;
  title: string;
  message: string;
  source_node: string;
  source_flow: string;
  source_name: string | null;
  value: string | null;
  raised_at: string;
  updated_at: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  acknowledge_note: string | null;
  cleared_at: string | null;
  cleared_by: string | null;
  last_notified_at: string;
}

interface HistoryRow {
  alert_id: string;
  transition: string;
  at: string;
  by: string | null;
  note: string | null;
  value: string | null;
}

export interface SqliteAlertServiceOptions {
  /** Database file, or ':memory:'. */
  path: string;
  clock?: () => number;
  /** A listener threw: the transition is stored regardless; say so somewhere. */
  onListenerError?: (error: unknown, change: AlertChange) => void;
}

function toRecord(row: AlertRow): AlertRecord {
  return {
    id: row.id,
    key: row.key,
    severity: row.severity as AlertSeverityName,
    state: row.state as AlertStateName,
    title: row.title,
    message: row.message,
    source: { nodeId: row.source_node, flowId: row.source_flow, ...(row.source_name ? { name: row.source_name } : {}) },
    ...(row.value !== null ? { value: JSON.parse(row.value) as unknown } : {}),
    raisedAt: row.raised_at,
    updatedAt: row.updated_at,
    ...(row.acknowledged_at ? { acknowledgedAt: row.acknowledged_at } : {}),
    ...(row.acknowledged_by ? { acknowledgedBy: row.acknowledged_by } : {}),
    ...(row.acknowledge_note ? { acknowledgeNote: row.acknowledge_note } : {}),
    ...(row.cleared_at ? { clearedAt: row.cleared_at } : {}),
    ...(row.cleared_by ? { clearedBy: row.cleared_by } : {}),
    lastNotifiedAt: row.last_notified_at,
  };
}

function encode(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

export class SqliteAlertService implements AlertService {
  readonly #db: Database.Database;
  readonly #listeners = new Set<(change: AlertChange) => void>();
  readonly #statements = new Map<string, Database.Statement>();
  readonly #clock: () => number;
  readonly #onListenerError: SqliteAlertServiceOptions['onListenerError'];

  constructor(options: SqliteAlertServiceOptions) {
    this.#clock = options.clock ?? Date.now;
    this.#onListenerError = options.onListenerError;
    // Alert texts carry process data: the file is the owner's only.
    this.#db = openPrivateDatabase(options.path, {
      label: 'the alerts database',
      schemaSql: SCHEMA_SQL,
      schemaVersion: SCHEMA_VERSION,
      // NORMAL under WAL: a commit survives a crash or SIGKILL of the process (it is in
      // the OS's hands); only a power cut may lose the last moments. Syncing every
      // transition to the disk (FULL) made a storm of alerts disk-bound (~500/s).
      synchronous: 'NORMAL',
      foreignKeys: true,
      remedy: 'Check the data folder is writable and the file is a LoopEdge alerts database.',
    });
  }

  raise(input: RaiseAlertInput): { alert: AlertRecord; created: boolean } {
    const result = this.#db.transaction(() => {
      const open = this.openByKey(input.key);
      if (open) return { alert: open, created: false };
      const at = this.#now();
      const id = randomUUID();
      this.#statement(`INSERT INTO alerts (id, key, severity, state, title, message, source_node, source_flow, source_name, value, raised_at, updated_at, last_notified_at)
                  VALUES (?, ?, ?, 'active', ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(id, input.key, input.severity, input.title, input.message, input.source.nodeId, input.source.flowId, input.source.name ?? null, encode(input.value), at, at, at);
      this.#history(id, 'raised', at, undefined, undefined, input.value);
      return { alert: this.#require(id), created: true };
    })();
    if (result.created) this.#emit({ transition: 'raised', alert: result.alert, ...(input.value !== undefined ? { value: input.value } : {}) });
    return result;
  }

  acknowledge(id: string, by: string, note?: string): AlertRecord {
    const alert = this.#require(id);
    if (alert.state === 'cleared') throw new AlertServiceError('conflict', `Alert ${id} is already cleared; there is nothing to acknowledge.`);
    if (alert.state === 'acknowledged') return alert;
    const at = this.#now();
    const updated = this.#db.transaction(() => {
      this.#statement(`UPDATE alerts SET state = 'acknowledged', updated_at = ?, acknowledged_at = ?, acknowledged_by = ?, acknowledge_note = ? WHERE id = ?`).run(at, at, by, note ?? null, id);
      this.#history(id, 'acknowledged', at, by, note);
      return this.#require(id);
    })();
    this.#emit({ transition: 'acknowledged', alert: updated, by });
    return updated;
  }

  clear(id: string, by?: string, value?: unknown): AlertRecord {
    const alert = this.#require(id);
    if (alert.state === 'cleared') return alert;
    const at = this.#now();
    const updated = this.#db.transaction(() => {
      this.#statement(`UPDATE alerts SET state = 'cleared', updated_at = ?, cleared_at = ?, cleared_by = ? WHERE id = ?`).run(at, at, by ?? null, id);
      this.#history(id, 'cleared', at, by, undefined, value);
      return this.#require(id);
    })();
    this.#emit({ transition: 'cleared', alert: updated, ...(by ? { by } : {}), ...(value !== undefined ? { value } : {}) });
    return updated;
  }

  clearKey(key: string, by?: string, value?: unknown): AlertRecord | undefined {
    const open = this.openByKey(key);
    return open ? this.clear(open.id, by, value) : undefined;
  }

  recordRenotify(id: string): AlertRecord {
    this.#require(id);
    const at = this.#now();
    const updated = this.#db.transaction(() => {
      this.#statement('UPDATE alerts SET last_notified_at = ?, updated_at = ? WHERE id = ?').run(at, at, id);
      this.#history(id, 'renotify', at);
      return this.#require(id);
    })();
    this.#emit({ transition: 'renotify', alert: updated });
    return updated;
  }

  get(id: string): AlertRecord | undefined {
    const row = this.#statement('SELECT * FROM alerts WHERE id = ?').get(id) as AlertRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  openByKey(key: string): AlertRecord | undefined {
    const row = this.#statement(`SELECT * FROM alerts WHERE key = ? AND state <> 'cleared'`).get(key) as AlertRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  listOpen(nodeId?: string): AlertRecord[] {
    const rows = (nodeId === undefined
      ? this.#statement(`SELECT * FROM alerts WHERE state <> 'cleared' ORDER BY rowid`).all()
      : this.#statement(`SELECT * FROM alerts WHERE state <> 'cleared' AND source_node = ? ORDER BY rowid`).all(nodeId)) as AlertRow[];
    return rows.map(toRecord);
  }

  history(id: string): AlertHistoryEntry[] {
    const rows = this.#statement('SELECT alert_id, transition, at, by, note, value FROM alert_history WHERE alert_id = ? ORDER BY seq').all(id) as HistoryRow[];
    return rows.map((row) => ({
      alertId: row.alert_id,
      transition: row.transition as AlertTransitionName,
      at: row.at,
      ...(row.by ? { by: row.by } : {}),
      ...(row.note ? { note: row.note } : {}),
      ...(row.value !== null ? { value: JSON.parse(row.value) as unknown } : {}),
    }));
  }

  /** Newest first. */
  query(query: AlertQuery): AlertPage {
    const where: string[] = [];
    const args: Array<string | number> = [];
    const add = (clause: string, value: string | undefined): void => {
      if (value === undefined) return;
      where.push(clause);
      args.push(value);
    };
    add('state = ?', query.state);
    add('severity = ?', query.severity);
    add('key = ?', query.key);
    add('source_node = ?', query.nodeId);
    add('raised_at >= ?', query.since);
    add('raised_at < ?', query.until);
    const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const limit = Math.max(0, Math.min(query.limit ?? 100, 1000));
    const offset = Math.max(0, query.offset ?? 0);
    const total = (this.#statement(`SELECT count(*) AS n FROM alerts ${filter}`).get(...args) as { n: number }).n;
    const rows = this.#statement(`SELECT * FROM alerts ${filter} ORDER BY raised_at DESC, rowid DESC LIMIT ? OFFSET ?`).all(...args, limit, offset) as AlertRow[];
    return { total, alerts: rows.map(toRecord) };
  }

  onChange(listener: (change: AlertChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    this.#listeners.clear();
    if (this.#db.open) this.#db.close();
  }

  /** Prepared once per SQL text: preparing is most of the cost of a small statement. */
  #statement(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #now(): string {
    return new Date(this.#clock()).toISOString();
  }

  #require(id: string): AlertRecord {
    const alert = this.get(id);
    if (!alert) throw new AlertServiceError('not-found', `No alert "${id}".`);
    return alert;
  }

  #history(alertId: string, transition: AlertTransitionName, at: string, by?: string, note?: string, value?: unknown): void {
    this.#statement('INSERT INTO alert_history (alert_id, transition, at, by, note, value) VALUES (?, ?, ?, ?, ?, ?)').run(alertId, transition, at, by ?? null, note ?? null, encode(value));
  }

  #emit(change: AlertChange): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(change);
      } catch (error) {
        this.#onListenerError?.(error, change);
      }
    }
  }
}
