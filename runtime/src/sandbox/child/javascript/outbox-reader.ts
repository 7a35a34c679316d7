/**
 * Reads what an isolate hands back. The isolate runs hostile code, so its
 * outbox is untrusted input: every entry is checked for shape, type and size
 * and turned into a typed event, or dropped and counted.
 */
import type { ErrorInfo } from '../../protocol.js';

export type IsolateEvent =
  | { kind: 'send'; json: string; binaries: Uint8Array[] }
  | { kind: 'done'; runId: number; json: string | null; binaries: Uint8Array[] }
  | { kind: 'fail'; runId: number; error: ErrorInfo; json: string | null; binaries: Uint8Array[] }
  | { kind: 'log'; level: LogLevel; text: string }
  | { kind: 'status'; status: { fill?: string; shape?: string; text?: string } }
  | { kind: 'error'; error: ErrorInfo; json: string | null; binaries: Uint8Array[] }
  | { kind: 'timer'; id: number; delayMs: number }
  | { kind: 'untimer'; id: number }
  | { kind: 'init'; ok: boolean; error: ErrorInfo | null };

export type LogLevel = 'info' | 'warn' | 'error' | 'debug' | 'trace';
const LEVELS = new Set<string>(['info', 'warn', 'error', 'debug', 'trace']);
const MAX_TEXT = 64 * 1024;

export interface OutboxReading {
  events: IsolateEvent[];
  /** Entries that were not well formed (only a broken or hostile isolate makes them). */
  malformed: number;
}

export function readOutbox(raw: unknown): OutboxReading {
  const events: IsolateEvent[] = [];
  let malformed = 0;
  if (!Array.isArray(raw)) return { events, malformed: raw === undefined ? 0 : 1 };
  for (const entry of raw) {
    const event = Array.isArray(entry) ? readEntry(entry) : undefined;
    if (event) events.push(event);
    else malformed++;
  }
  return { events, malformed };
}

function readEntry(entry: unknown[]): IsolateEvent | undefined {
  switch (entry[0]) {
    case 'send':
      return isText(entry[1]) && isBinaries(entry[2]) ? { kind: 'send', json: entry[1], binaries: entry[2] } : undefined;
    case 'done':
      if (!isId(entry[1])) return undefined;
      if (entry.length === 2) return { kind: 'done', runId: entry[1], json: null, binaries: [] };
      return isText(entry[2]) && isBinaries(entry[3]) ? { kind: 'done', runId: entry[1], json: entry[2], binaries: entry[3] } : undefined;
    case 'fail': {
      const error = readError(entry[2]);
      if (!isId(entry[1]) || !error || !(entry[3] === null || isText(entry[3])) || !isBinaries(entry[4])) return undefined;
      return { kind: 'fail', runId: entry[1], error, json: entry[3], binaries: entry[4] };
    }
    case 'log':
      return typeof entry[1] === 'string' && LEVELS.has(entry[1]) && typeof entry[2] === 'string'
        ? { kind: 'log', level: entry[1] as LogLevel, text: clip(entry[2]) }
        : undefined;
    case 'status': {
      const raw = entry[1];
      if (raw === null || typeof raw !== 'object') return undefined;
      const { fill, shape, text } = raw as Record<string, unknown>;
      const status: { fill?: string; shape?: string; text?: string } = {};
      if (typeof fill === 'string') status.fill = clip(fill, 64);
      if (typeof shape === 'string') status.shape = clip(shape, 64);
      if (typeof text === 'string') status.text = clip(text, 1024);
      return { kind: 'status', status };
    }
    case 'error': {
      const error = readError(entry[1]);
      if (!error || !(entry[2] === null || isText(entry[2])) || !isBinaries(entry[3])) return undefined;
      return { kind: 'error', error, json: entry[2], binaries: entry[3] };
    }
    case 'timer':
      return isId(entry[1]) && typeof entry[2] === 'number' && entry[2] >= 0 ? { kind: 'timer', id: entry[1], delayMs: Math.min(entry[2], 2_147_483_647) } : undefined;
    case 'untimer':
      return isId(entry[1]) ? { kind: 'untimer', id: entry[1] } : undefined;
    case 'init': {
      if (typeof entry[1] !== 'boolean') return undefined;
      const error = entry[2] === null ? null : readError(entry[2]);
      return error === undefined ? undefined : { kind: 'init', ok: entry[1], error };
    }
    default:
      return undefined;
  }
}

export function readError(raw: unknown): ErrorInfo | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const { name, message, stack, line, column } = raw as Record<string, unknown>;
  if (typeof name !== 'string' || typeof message !== 'string') return undefined;
  const error: ErrorInfo = { name: clip(name, 128), message: clip(message) };
  if (typeof stack === 'string') error.stack = clip(stack);
  if (Number.isInteger(line)) error.line = line as number;
  if (Number.isInteger(column)) error.column = column as number;
  return error;
}

function isId(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) > 0;
}

function isText(value: unknown): value is string {
  return typeof value === 'string';
}

function isBinaries(value: unknown): value is Uint8Array[] {
  return Array.isArray(value) && value.every((item) => item instanceof Uint8Array);
}

function clip(text: string, max = MAX_TEXT): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
