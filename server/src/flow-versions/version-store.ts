// The history of deployed flow sets. A row is written 'pending' before a deploy
// touches anything and marked 'applied' once the flow file holds the new set; on
// start the flow file decides what a leftover pending row was (see README.md).
import type { FlowDocument } from '@loopedge/flows';
import type { FlowVersionsDatabase } from './flow-versions-db.js';
import type { VersionSummary } from './version-diff.js';

/** full/flows/nodes: a deploy through the API; rollback: a deploy of an old version; file: found in the flow file at start. */
export type VersionType = 'full' | 'flows' | 'nodes' | 'rollback' | 'file';

export interface FlowVersionInfo {
  version: number;
  /** flowSetHash: hex SHA-256 of the canonical flows */
  hash: string;
  signer?: { kid: string; name: string };
  signed: boolean;
  user?: string;
  /** ISO 8601 */
  time: string;
  type: VersionType;
  rollbackOf?: number;
  summary: VersionSummary;
}

/** A version with what was deployed. */
export interface StoredFlowVersion extends FlowVersionInfo {
  flows: FlowDocument;
  signature?: string;
}

export interface NewVersion {
  version: number;
  hash: string;
  flows: FlowDocument;
  signature?: string;
  signer?: { kid: string; name: string };
  user?: string;
  type: VersionType;
  rollbackOf?: number;
  summary: VersionSummary;
}

/** What start-up found and did (for the log). */
export type ReconcileOutcome =
  | { action: 'none'; version: number }
  | { action: 'completed'; version: number }
  | { action: 'abandoned'; abandoned: number[]; version: number }
  | { action: 'recorded-file'; version: number; abandoned: number[] }
  /** Signed flows are required and the file is not the last applied version: that version runs instead. */
  | { action: 'refused-file'; version: number; flows: FlowDocument; abandoned: number[] };

interface VersionRow {
  version: number;
  state: 'pending' | 'applied';
  hash: string;
  flows: string;
  signature: string | null;
  signer_kid: string | null;
  signer_name: string | null;
  user: string | null;
  created_at: number;
  type: VersionType;
  rollback_of: number | null;
  summary: string;
}

/** Applied versions kept when settings.json says nothing (`flowVersions.keep`, read by versionsKept in flow-versioning.ts). */
export const DEFAULT_VERSIONS_KEPT = 100;

const INFO_COLUMNS = 'version, state, hash, signature IS NOT NULL AS signed, signer_kid, signer_name, user, created_at, type, rollback_of, summary';

export class FlowVersionStore {
  constructor(
    private readonly db: FlowVersionsDatabase,
    private readonly clock: () => number = Date.now,
    /** Applied versions kept, the running one included; older ones are deleted as new ones are applied. */
    private readonly keep: number = DEFAULT_VERSIONS_KEPT,
  ) {}

  /** The applied version that runs (the newest applied row). */
  current(): FlowVersionInfo | undefined {
    const row = this.db.prepare(`SELECT ${INFO_COLUMNS} FROM flow_versions WHERE state = 'applied' ORDER BY version DESC LIMIT 1`).get() as InfoRow | undefined;
    return row ? toInfo(row) : undefined;
  }

  /** Applied versions, newest first. */
  list(limit = 100, offset = 0): FlowVersionInfo[] {
    const rows = this.db.prepare(`SELECT ${INFO_COLUMNS} FROM flow_versions WHERE state = 'applied' ORDER BY version DESC LIMIT ? OFFSET ?`).all(limit, offset) as InfoRow[];
    return rows.map(toInfo);
  }

  count(): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM flow_versions WHERE state = 'applied'").get() as { n: number }).n;
  }

  get(version: number): StoredFlowVersion | undefined {
    const row = this.db.prepare("SELECT * FROM flow_versions WHERE version = ? AND state = 'applied'").get(version) as VersionRow | undefined;
    if (!row) return undefined;
    return { ...toInfo({ ...row, signed: row.signature !== null ? 1 : 0 }), flows: JSON.parse(row.flows) as FlowDocument, ...(row.signature !== null ? { signature: row.signature } : {}) };
  }

  /** Step 1 of an apply: committed before the runtime is touched. */
  addPending(entry: NewVersion): void {
    this.db
      .prepare(
        `INSERT INTO flow_versions (version, state, hash, flows, signature, signer_kid, signer_name, user, created_at, type, rollback_of, summary)
         VALUES (?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        entry.version, entry.hash, JSON.stringify(entry.flows), entry.signature ?? null, entry.signer?.kid ?? null, entry.signer?.name ?? null,
        entry.user ?? null, this.clock(), entry.type, entry.rollbackOf ?? null, JSON.stringify(entry.summary),
      );
  }

  /**
   * Last step of an apply: the flow file holds the new set. Versions beyond the
   * newest `keep` go in the same step: each row holds a whole flow set (2.7 MB
   * for 10,000 nodes), and a device deployed to for years must not fill its
   * disk with them. Who deployed what stays in the audit log; SQLite reuses the
   * freed pages, so the file stops growing.
   */
  markApplied(version: number): void {
    this.db.transaction(() => {
      this.db.prepare("UPDATE flow_versions SET state = 'applied' WHERE version = ? AND state = 'pending'").run(version);
      this.db
        .prepare(
          `DELETE FROM flow_versions WHERE state = 'applied' AND version < (
             SELECT MIN(version) FROM (SELECT version FROM flow_versions WHERE state = 'applied' ORDER BY version DESC LIMIT ?))`,
        )
        .run(this.keep);
    })();
  }

  /** A deploy that was refused by the runtime or cut short: it never ran, so it is not history. */
  discardPending(version: number): void {
    this.db.prepare("DELETE FROM flow_versions WHERE version = ? AND state = 'pending'").run(version);
  }

  /**
   * On start, before the flows run: the flow file is the truth. A pending row with
   * the file's hash was saved but not yet marked (complete it); any other pending
   * row never reached the file (drop it). When the file matches no applied
   * version (first start, or edited by hand), it becomes a new version of type 'file',
   * so the running flows always are the current version.
   */
  reconcile(fileFlows: FlowDocument, fileHash: string, summarize: (previous: FlowDocument | undefined) => VersionSummary, requireSigned = false): ReconcileOutcome {
    return this.db
      .transaction((): ReconcileOutcome => {
        const pending = this.db.prepare("SELECT version, hash FROM flow_versions WHERE state = 'pending' ORDER BY version").all() as Array<{ version: number; hash: string }>;
        const abandoned: number[] = [];
        let completed: number | undefined;
        for (const row of pending) {
          if (row.hash === fileHash && completed === undefined && row.version > (this.current()?.version ?? 0)) {
            this.markApplied(row.version);
            completed = row.version;
          } else {
            this.discardPending(row.version);
            abandoned.push(row.version);
          }
        }
        const current = this.current();
        if (current && current.hash === fileHash) {
          if (completed !== undefined) return { action: 'completed', version: completed };
          return abandoned.length > 0 ? { action: 'abandoned', abandoned, version: current.version } : { action: 'none', version: current.version };
        }
        // A file changed outside LoopEdge (or another --flows file) would run unsigned flows:
        // with the policy on, only a verified deploy may change what runs.
        const applied = current && requireSigned ? this.get(current.version)?.flows : undefined;
        if (current && applied) return { action: 'refused-file', version: current.version, flows: applied, abandoned };
        const version = (current?.version ?? 0) + 1;
        const previous = current ? this.get(current.version)?.flows : undefined;
        this.addPending({ version, hash: fileHash, flows: fileFlows, type: 'file', summary: summarize(previous) });
        this.markApplied(version);
        return { action: 'recorded-file', version, abandoned };
      })
      .immediate();
  }
}

interface InfoRow {
  version: number;
  hash: string;
  signed: number;
  signer_kid: string | null;
  signer_name: string | null;
  user: string | null;
  created_at: number;
  type: VersionType;
  rollback_of: number | null;
  summary: string;
}

function toInfo(row: InfoRow): FlowVersionInfo {
  return {
    version: row.version,
    hash: row.hash,
    signed: row.signed === 1,
    ...(row.signer_kid !== null ? { signer: { kid: row.signer_kid, name: row.signer_name ?? '' } } : {}),
    ...(row.user !== null ? { user: row.user } : {}),
    time: new Date(row.created_at).toISOString(),
    type: row.type,
    ...(row.rollback_of !== null ? { rollbackOf: row.rollback_of } : {}),
    summary: JSON.parse(row.summary) as VersionSummary,
  };
}
