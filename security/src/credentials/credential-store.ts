// Node credentials (broker passwords, API keys), apart from the flow document and
// sealed with AES-256-GCM, bound to the node id. Field names are kept in the clear:
// the API may say which fields are set, never their values.
import type { SecurityContext } from '../context.js';
import type { CredentialsApi } from '../types.js';

export function createCredentialStore(ctx: SecurityContext): CredentialsApi {
  const { db, box } = ctx;
  const context = (nodeId: string): string => `credentials:${nodeId}`;

  function read(nodeId: string): Record<string, string> {
    const row = db.prepare('SELECT values_sealed FROM node_credentials WHERE node_id = ?').get(nodeId) as { values_sealed: string } | undefined;
    return row ? (JSON.parse(box.open(row.values_sealed, context(nodeId))) as Record<string, string>) : {};
  }

  return {
    set(nodeId, values) {
      db.transaction(() => {
        const merged = read(nodeId);
        for (const [field, value] of Object.entries(values)) {
          if (value === undefined) continue;
          if (value === '') delete merged[field];
          else merged[field] = value;
        }
        const fields = Object.keys(merged).sort();
        if (fields.length === 0) {
          db.prepare('DELETE FROM node_credentials WHERE node_id = ?').run(nodeId);
          return;
        }
        db.prepare(
          `INSERT INTO node_credentials (node_id, fields, values_sealed) VALUES (?, ?, ?)
           ON CONFLICT(node_id) DO UPDATE SET fields = excluded.fields, values_sealed = excluded.values_sealed`,
        ).run(nodeId, JSON.stringify(fields), box.seal(JSON.stringify(merged), context(nodeId)));
      }).immediate();
    },

    get(nodeId) {
      return read(nodeId);
    },

    fieldsSet(nodeId) {
      const row = db.prepare('SELECT fields FROM node_credentials WHERE node_id = ?').get(nodeId) as { fields: string } | undefined;
      return row ? (JSON.parse(row.fields) as string[]) : [];
    },

    remove(nodeId) {
      db.prepare('DELETE FROM node_credentials WHERE node_id = ?').run(nodeId);
    },
  };
}
