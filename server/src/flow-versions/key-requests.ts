// Flow-signing keys a user asked an admin to trust (the editor's "generate key →
// pending → approved" path). Only the public half is ever sent; the request id is
// the key's thumbprint, the same id the trust store gives it once approved.
import type { FlowVersionsDatabase } from './flow-versions-db.js';

export type KeyRequestState = 'pending' | 'approved' | 'rejected';

export interface KeyRequest {
  id: string;
  name: string;
  owner: string;
  publicKeyPem: string;
  state: KeyRequestState;
  /** ISO 8601 */
  createdAt: string;
  decidedAt?: string;
  decidedBy?: string;
}

interface KeyRequestRow {
  id: string;
  name: string;
  owner: string;
  public_pem: string;
  state: KeyRequestState;
  created_at: number;
  decided_at: number | null;
  decided_by: string | null;
}

export class KeyRequestStore {
  constructor(
    private readonly db: FlowVersionsDatabase,
    private readonly clock: () => number = Date.now,
  ) {}

  get(id: string): KeyRequest | undefined {
    const row = this.db.prepare('SELECT * FROM signing_key_requests WHERE id = ?').get(id) as KeyRequestRow | undefined;
    return row ? toRequest(row) : undefined;
  }

  /** Pending and rejected requests (approved ones are in the trust store), oldest first. */
  open(): KeyRequest[] {
    const rows = this.db.prepare("SELECT * FROM signing_key_requests WHERE state != 'approved' ORDER BY created_at, id").all() as KeyRequestRow[];
    return rows.map(toRequest);
  }

  /** A rejected request may be sent again (it replaces the old one). */
  submit(input: { id: string; name: string; owner: string; publicKeyPem: string }): KeyRequest {
    this.db
      .prepare(
        `INSERT INTO signing_key_requests (id, name, owner, public_pem, state, created_at) VALUES (?, ?, ?, ?, 'pending', ?)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, owner = excluded.owner, state = 'pending', created_at = excluded.created_at, decided_at = NULL, decided_by = NULL`,
      )
      .run(input.id, input.name, input.owner, input.publicKeyPem, this.clock());
    return this.get(input.id)!;
  }

  decide(id: string, state: 'approved' | 'rejected', actor: string): KeyRequest {
    this.db.prepare('UPDATE signing_key_requests SET state = ?, decided_at = ?, decided_by = ? WHERE id = ?').run(state, this.clock(), actor, id);
    return this.get(id)!;
  }
}

function toRequest(row: KeyRequestRow): KeyRequest {
  return {
    id: row.id,
    name: row.name,
    owner: row.owner,
    publicKeyPem: row.public_pem,
    state: row.state,
    createdAt: new Date(row.created_at).toISOString(),
    ...(row.decided_at !== null ? { decidedAt: new Date(row.decided_at).toISOString() } : {}),
    ...(row.decided_by !== null ? { decidedBy: row.decided_by } : {}),
  };
}
