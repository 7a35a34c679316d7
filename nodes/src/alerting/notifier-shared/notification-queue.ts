import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { openPrivateDatabase } from '@loopedge/runtime';
import type { AlertNotification } from '../shared/alert-notification.js';

/** A notification waiting for delivery, with the id receivers see on every attempt (so they can drop duplicates). */
export interface PendingNotification {
  seq: number;
  deliveryId: string;
  notification: AlertNotification;
  /** Milliseconds since the epoch, when the notifier accepted it. */
  queuedAt: number;
}

type Row = { seq: number; delivery_id: string; body: string; queued_at: number };

/**
 * The durable FIFO of one notifier: each notification is committed before
 * `notify` returns and leaves only after the channel confirmed delivery, so a
 * notifier that is down, or a restart, loses nothing. One SQLite file per
 * notifier under `<dataDir>/notifiers/`; without a data folder (unit tests,
 * a bare runtime) it lives in memory.
 */
export class NotificationQueue {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement<[string, string, number]>;
  readonly #head: Database.Statement<[number], Row>;
  readonly #remove: Database.Statement<[number]>;
  readonly #count: Database.Statement<[], { n: number }>;

  constructor(readonly file: string) {
    // Notifications carry alert texts (process data): the file is the owner's only.
    this.#db = openPrivateDatabase(file, {
      label: 'the notification queue',
      schemaSql: `CREATE TABLE IF NOT EXISTS pending (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, delivery_id TEXT NOT NULL, body TEXT NOT NULL, queued_at INTEGER NOT NULL)`,
      synchronous: 'NORMAL',
      remedy: 'Check the data folder is writable; a damaged queue file can be moved away (its notifications are then lost).',
    });
    this.#insert = this.#db.prepare('INSERT INTO pending (delivery_id, body, queued_at) VALUES (?, ?, ?)');
    this.#head = this.#db.prepare('SELECT * FROM pending ORDER BY seq LIMIT ?');
    this.#remove = this.#db.prepare('DELETE FROM pending WHERE seq = ?');
    this.#count = this.#db.prepare('SELECT COUNT(*) AS n FROM pending');
  }

  /** `<dataDir>/notifiers/<type>-<id>.sqlite`, or an in-memory queue without a data folder. */
  static fileFor(dataDir: string | undefined, type: string, nodeId: string): string {
    if (!dataDir) return ':memory:';
    const dir = join(dataDir, 'notifiers');
    mkdirSync(dir, { recursive: true });
    return join(dir, `${type}-${nodeId}`.replace(/[^A-Za-z0-9_.-]/g, '_') + '.sqlite');
  }

  get size(): number {
    return this.#count.get()!.n;
  }

  enqueue(notification: AlertNotification, now: number): PendingNotification {
    const deliveryId = randomUUID();
    const info = this.#insert.run(deliveryId, JSON.stringify(notification), now);
    return { seq: Number(info.lastInsertRowid), deliveryId, notification, queuedAt: now };
  }

  /** The oldest `limit` notifications, without removing them. */
  head(limit: number): PendingNotification[] {
    return this.#head.all(limit).map((row) => ({ seq: row.seq, deliveryId: row.delivery_id, notification: JSON.parse(row.body) as AlertNotification, queuedAt: row.queued_at }));
  }

  /** Remove delivered notifications (one transaction: a summary removes all it covered at once). */
  remove(seqs: readonly number[]): void {
    this.#db.transaction(() => {
      for (const seq of seqs) this.#remove.run(seq);
    })();
  }

  close(): void {
    this.#db.close();
  }
}
