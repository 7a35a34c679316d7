import type { EditorDocument } from './document.js';

export interface HistoryEntry {
  doc: EditorDocument;
  /** What the edit did, e.g. "move 3 nodes" (shown in the undo button's title). */
  label: string;
}

export interface History {
  readonly past: readonly HistoryEntry[];
  readonly present: EditorDocument;
  readonly future: readonly HistoryEntry[];
  /** Label of the edit that produced `present`. */
  readonly label: string;
}

/** Node-RED keeps an unbounded history; we keep plenty (well over the 50 steps asked) but bounded. */
export const HISTORY_LIMIT = 200;

export function startHistory(doc: EditorDocument): History {
  return { past: [], present: doc, future: [], label: '' };
}

/** Records an edit. An edit that changed nothing (same array) is not recorded. */
export function record(history: History, next: EditorDocument, label: string): History {
  if (next === history.present) return history;
  const past = [...history.past, { doc: history.present, label: history.label }];
  if (past.length > HISTORY_LIMIT) past.splice(0, past.length - HISTORY_LIMIT);
  return { past, present: next, future: [], label };
}

export function canUndo(history: History): boolean {
  return history.past.length > 0;
}

export function canRedo(history: History): boolean {
  return history.future.length > 0;
}

export function undo(history: History): History {
  const previous = history.past[history.past.length - 1];
  if (!previous) return history;
  return {
    past: history.past.slice(0, -1),
    present: previous.doc,
    future: [{ doc: history.present, label: history.label }, ...history.future],
    label: previous.label,
  };
}

export function redo(history: History): History {
  const next = history.future[0];
  if (!next) return history;
  return {
    past: [...history.past, { doc: history.present, label: history.label }],
    present: next.doc,
    future: history.future.slice(1),
    label: next.label,
  };
}

