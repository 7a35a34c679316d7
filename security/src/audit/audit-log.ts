// The audit log: append-only rows in SQLite, each carrying the SHA-256 of the
// previous entry and of itself, so editing, removing or reordering any entry
// breaks the chain at that point (verifyChain finds where). Triggers refuse
// UPDATE and DELETE; the chain catches edits made with other tools.
import { canonicalize } from '@loopedge/flows';
import { createHash } from 'node:crypto';
import type { SecurityDatabase } from '../store/database.js';
import type { AuditApi, AuditEntry, AuditFilter, AuditInput, AuditOutcome } from '../types.js';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

interface AuditRow {
  seq: number;
  time: string;
  actor: string | null;
  action: string;
  target: string | null;
  outcome: AuditOutcome;
  source_ip: string | null;
  details: string | null;
  prev_hash: string;
  hash: string;
}

export function createAuditLog(db: SecurityDatabase, clock: () => number): AuditApi {
  const lastRow = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
  const insert = db.prepare(
    `INSERT INTO audit_log (seq, time, actor, action, target, outcome, source_ip, details, prev_hash, hash)
     VALUES (@seq, @time, @actor, @action, @target, @outcome, @source_ip, @details, @prev_hash, @hash)`,
  );
  // IMMEDIATE: two processes (server and CLI) appending at once must not both link to the same previous entry.
  const appendTransaction = db.transaction((entry: AuditInput) => {
    const previous = lastRow.get() as { seq: number; hash: string } | undefined;
    const seq = (previous?.seq ?? 0) + 1;
    const prevHash = previous?.hash ?? '';
    const time = new Date(clock()).toISOString();
    const details = entry.details === undefined ? undefined : (JSON.parse(JSON.stringify(entry.details)) as Record<string, unknown>);
    const body: Omit<AuditEntry, 'hash' | 'prevHash'> = {
      seq,
      time,
      actor: entry.actor,
      action: entry.action,
      target: entry.target,
      outcome: entry.outcome,
      sourceIp: entry.sourceIp,
      details,
    };
    insert.run({
      seq,
      time,
      actor: entry.actor ?? null,
      action: entry.action,
      target: entry.target ?? null,
      outcome: entry.outcome,
      source_ip: entry.sourceIp ?? null,
      details: details === undefined ? null : JSON.stringify(details),
      prev_hash: prevHash,
      hash: entryHash(prevHash, body),
    });
  });

  return {
    append(entry) {
      if (entry.outcome !== 'success' && entry.outcome !== 'failure') {
        throw new TypeError(`audit.append: outcome must be 'success' or 'failure', got ${String(entry.outcome)}`);
      }
      appendTransaction.immediate(entry);
    },

    list(filter) {
      const { where, params } = filterClause(filter);
      const limit = Math.max(1, Math.min(MAX_LIMIT, Math.floor(filter.limit ?? DEFAULT_LIMIT)));
      const offset = Math.max(0, Math.floor(filter.offset ?? 0));
      const rows = db
        .prepare(`SELECT * FROM audit_log ${where} ORDER BY seq DESC LIMIT ${limit} OFFSET ${offset}`)
        .all(params) as AuditRow[];
      return rows.map(rowToEntry);
    },

    verifyChain() {
      let prevHash = '';
      let expectedSeq = 1;
      for (const row of db.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as IterableIterator<AuditRow>) {
        const entry = rowToEntry(row);
        const { hash, prevHash: storedPrev, ...body } = entry;
        if (row.seq !== expectedSeq || storedPrev !== prevHash || hash !== entryHash(prevHash, body)) {
          return { ok: false, brokenAt: row.seq };
        }
        prevHash = hash;
        expectedSeq += 1;
      }
      return { ok: true };
    },
  };
}

function entryHash(prevHash: string, body: Omit<AuditEntry, 'hash' | 'prevHash'>): string {
  return createHash('sha256').update(`${prevHash}\n${canonicalize(body)}`, 'utf8').digest('hex');
}

function rowToEntry(row: AuditRow): AuditEntry {
  const entry: AuditEntry = {
    seq: row.seq,
    time: row.time,
    action: row.action,
    outcome: row.outcome,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
  if (row.actor !== null) entry.actor = row.actor;
  if (row.target !== null) entry.target = row.target;
  if (row.source_ip !== null) entry.sourceIp = row.source_ip;
  if (row.details !== null) entry.details = JSON.parse(row.details) as Record<string, unknown>;
  return entry;
}

function filterClause(filter: AuditFilter): { where: string; params: Record<string, string> } {
  const conditions: string[] = [];
  const params: Record<string, string> = {};
  if (filter.since !== undefined) {
    conditions.push('time >= @since');
    params.since = isoTime(filter.since, 'since');
  }
  if (filter.until !== undefined) {
    conditions.push('time < @until');
    params.until = isoTime(filter.until, 'until');
  }
  if (filter.actor !== undefined) {
    conditions.push('actor = @actor');
    params.actor = filter.actor;
  }
  if (filter.action !== undefined) {
    conditions.push('action = @action');
    params.action = filter.action;
  }
  return { where: conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '', params };
}

/** Entries store `toISOString()` times, which compare correctly as text once the filter is normalised the same way. */
function isoTime(value: string, field: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new TypeError(`audit.list: ${field} must be an ISO 8601 date-time, got "${value}"`);
  return new Date(ms).toISOString();
}
