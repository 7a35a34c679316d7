/**
 * The id list of a message batch handed to an isolate, written by the unit
 * (host side) and read by the bootstrap (isolate side), so the format lives in
 * one place. One comma-separated entry per message: the run id, negative to ask
 * for the message back when it completes, then `t` when its text holds tagged
 * values and `:n` when n of the batch's binaries are its attachments.
 */
export interface RunBatchEntry {
  runId: number;
  returnMessage: boolean;
  tagged: boolean;
  attachments: number;
}

/** Host side: one message's entry. */
export function runBatchEntryId(entry: RunBatchEntry): string {
  let id = String(entry.returnMessage ? -entry.runId : entry.runId);
  if (entry.tagged) id += 't';
  if (entry.attachments > 0) id += `:${entry.attachments}`;
  return id;
}

/** Isolate side (self-contained: injected into each isolate as source text). */
export function parseRunBatchIds(ids: string): RunBatchEntry[] {
  const entries = ids.split(',');
  const parsed: RunBatchEntry[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    const id = parseInt(entry, 10);
    const colon = entry.indexOf(':');
    parsed[i] = { runId: Math.abs(id), returnMessage: id < 0, tagged: entry.indexOf('t') !== -1, attachments: colon === -1 ? 0 : Number(entry.slice(colon + 1)) };
  }
  return parsed;
}
