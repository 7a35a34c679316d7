// Step-up ("sudo mode"): a session that re-proved its password (and second factor)
// in the last five minutes may change trust (keys, signing policy, users, roles,
// two-factor, certificates). A stolen session cookie alone is then not enough to
// make the device trust the thief. The mark lives beside the session row, on the
// server: nothing in the cookie or the access token claims it.
import type { SecurityDatabase } from '../store/database.js';

export const STEP_UP_WINDOW_MS = 5 * 60_000;

export interface StepUpMarks {
  mark(sessionId: string, now: number): number;
  freshUntil(sessionId: string, now: number): number | undefined;
}

export function createStepUpMarks(db: SecurityDatabase): StepUpMarks {
  // Own table (not a column of sessions) so existing databases need no migration.
  db.exec(`CREATE TABLE IF NOT EXISTS session_step_up (
    session_id TEXT PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
    reauthenticated_at INTEGER NOT NULL
  )`);
  const upsert = db.prepare(
    `INSERT INTO session_step_up (session_id, reauthenticated_at) VALUES (?, ?)
     ON CONFLICT(session_id) DO UPDATE SET reauthenticated_at = excluded.reauthenticated_at`,
  );
  const select = db.prepare('SELECT reauthenticated_at FROM session_step_up WHERE session_id = ?');
  return {
    mark(sessionId, now) {
      upsert.run(sessionId, now);
      return now + STEP_UP_WINDOW_MS;
    },
    freshUntil(sessionId, now) {
      const row = select.get(sessionId) as { reauthenticated_at: number } | undefined;
      if (!row) return undefined;
      const until = row.reauthenticated_at + STEP_UP_WINDOW_MS;
      // A clock set back must not extend the window: a mark "in the future" is not fresh.
      return row.reauthenticated_at <= now && now < until ? until : undefined;
    },
  };
}
