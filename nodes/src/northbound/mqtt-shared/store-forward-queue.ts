import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { openPrivateDatabase } from '@loopedge/runtime';

/** What happens when the queue is full: drop the oldest queued message, or refuse the new one. */
export type OverflowPolicy = 'drop-oldest' | 'drop-newest';

export interface QueuedMessage {
  seq: number;
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
  retain: boolean;
  /** MQTT 5 publish properties, as JSON (null when none). */
  properties: string | null;
  queuedAt: number;
}

export interface QueueLimits {
  maxMessages: number;
  /** Messages older than this are dropped (counted) instead of sent; 0 = no age limit. */
  maxAgeSeconds: number;
  overflow: OverflowPolicy;
}

export interface EnqueueResult {
  accepted: boolean;
  /** Messages removed to make room (drop-oldest). */
  droppedOldest: number;
}

type Row = { seq: number; topic: string; payload: Buffer; qos: number; retain: number; properties: string | null; queued_at: number };

/**
 * A durable FIFO of outgoing MQTT messages, one SQLite file per `mqtt out`
 * node under `<dataDir>/store-forward/`. Each enqueue commits before the
 * node reports the message done (WAL, synchronous=NORMAL survives a process
 * kill), and a message leaves the queue only after the broker acknowledged
 * it, so a restart resumes where delivery stopped.
 */
export class StoreForwardQueue {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement<[string, Buffer, number, number, string | null, number]>;
  readonly #peek: Database.Statement<[number], Row>;
  readonly #remove: Database.Statement<[number]>;
  /** Kept in memory (COUNT(*) walks the table): set at open, moved by every change. */
  #size: number;
  readonly #count: Database.Statement<[], { n: number }>;
  readonly #dropOldest: Database.Statement<[number]>;
  readonly #dropOlderThan: Database.Statement<[number]>;

  constructor(
    readonly file: string,
    readonly limits: QueueLimits,
  ) {
    // Queued payloads are process data: the file is the owner's only.
    this.#db = openPrivateDatabase(file, {
      label: 'the store-and-forward queue',
      schemaSql: `CREATE TABLE IF NOT EXISTS queue (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, payload BLOB NOT NULL,
        qos INTEGER NOT NULL, retain INTEGER NOT NULL, properties TEXT, queued_at INTEGER NOT NULL)`,
      synchronous: 'NORMAL',
      remedy: 'Check the data folder is writable; a damaged queue file can be moved away (its messages are then lost).',
    });
    this.#insert = this.#db.prepare('INSERT INTO queue (topic, payload, qos, retain, properties, queued_at) VALUES (?, ?, ?, ?, ?, ?)');
    this.#peek = this.#db.prepare('SELECT * FROM queue ORDER BY seq LIMIT ?');
    this.#remove = this.#db.prepare('DELETE FROM queue WHERE seq = ?');
    this.#count = this.#db.prepare('SELECT COUNT(*) AS n FROM queue');
    this.#dropOldest = this.#db.prepare('DELETE FROM queue WHERE seq IN (SELECT seq FROM queue ORDER BY seq LIMIT ?)');
    this.#dropOlderThan = this.#db.prepare('DELETE FROM queue WHERE queued_at < ?');
    this.#size = this.#count.get()!.n;
  }

  /** The queue file for one node: `<dataDir>/store-forward/mqtt-out-<id>.sqlite`. */
  static fileFor(dataDir: string, nodeId: string): string {
    const dir = join(dataDir, 'store-forward');
    mkdirSync(dir, { recursive: true });
    return join(dir, `mqtt-out-${nodeId.replace(/[^A-Za-z0-9_.-]/g, '_')}.sqlite`);
  }

  get size(): number {
    return this.#size;
  }

  enqueue(message: Omit<QueuedMessage, 'seq'>): EnqueueResult {
    return this.#db.transaction((): EnqueueResult => {
      const size = this.size;
      if (size < this.limits.maxMessages) {
        this.#insertRow(message);
        return { accepted: true, droppedOldest: 0 };
      }
      if (this.limits.overflow === 'drop-newest') return { accepted: false, droppedOldest: 0 };
      const excess = size - this.limits.maxMessages + 1;
      this.#size -= this.#dropOldest.run(excess).changes;
      this.#insertRow(message);
      return { accepted: true, droppedOldest: excess };
    })();
  }

  /** Drop messages past the age limit; returns how many. */
  expire(now: number): number {
    if (this.limits.maxAgeSeconds <= 0) return 0;
    const dropped = this.#dropOlderThan.run(now - this.limits.maxAgeSeconds * 1000).changes;
    this.#size -= dropped;
    return dropped;
  }

  /** The oldest message, without removing it. */
  peek(): QueuedMessage | undefined {
    return this.peekMany(1)[0];
  }

  /** The oldest `count` messages, in order, without removing them. */
  peekMany(count: number): QueuedMessage[] {
    return this.#peek.all(count).map((row) => ({ seq: row.seq, topic: row.topic, payload: row.payload, qos: row.qos as 0 | 1 | 2, retain: row.retain === 1, properties: row.properties, queuedAt: row.queued_at }));
  }

  /** Remove a message once the broker has it. */
  remove(seq: number): void {
    this.#size -= this.#remove.run(seq).changes;
  }

  /** Remove several in one transaction (one commit instead of one per message). */
  removeMany(seqs: readonly number[]): void {
    this.#db.transaction(() => {
      for (const seq of seqs) this.#size -= this.#remove.run(seq).changes;
    })();
  }

  close(): void {
    this.#db.close();
  }

  #insertRow(message: Omit<QueuedMessage, 'seq'>): void {
    this.#insert.run(message.topic, message.payload, message.qos, message.retain ? 1 : 0, message.properties, message.queuedAt);
    this.#size++;
  }
}
