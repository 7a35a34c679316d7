import { isDeepStrictEqual } from 'node:util';
import type { Json } from './normalize.js';
import type { SinkMessages } from './run-case.js';

const MAX_LINES_PER_SINK = 12;

/**
 * The differences between the expected and the actual messages at each sink,
 * one line each, with the message index and the property path:
 *   sink d1, message #2 payload.a: expected 5, got "5"
 * Empty when they are equal.
 */
export function describeDifferences(expected: SinkMessages, actual: SinkMessages): string[] {
  const lines: string[] = [];
  for (const sink of Object.keys(expected)) {
    const want = expected[sink] ?? [];
    const got = actual[sink] ?? [];
    if (isDeepStrictEqual(want, got)) continue;
    const sinkLines: string[] = [];
    if (want.length !== got.length) sinkLines.push(`sink ${sink}: expected ${want.length} message(s), got ${got.length}`);
    for (let i = 0; i < Math.max(want.length, got.length); i++) {
      if (i >= want.length) sinkLines.push(`sink ${sink}, message #${i + 1}: unexpected ${preview(got[i])}`);
      else if (i >= got.length) sinkLines.push(`sink ${sink}, message #${i + 1}: missing ${preview(want[i])}`);
      else compare(want[i] ?? null, got[i] ?? null, '', (path, text) => sinkLines.push(`sink ${sink}, message #${i + 1} ${path || '(whole message)'}: ${text}`));
    }
    if (sinkLines.length > MAX_LINES_PER_SINK) {
      const hidden = sinkLines.length - MAX_LINES_PER_SINK;
      sinkLines.length = MAX_LINES_PER_SINK;
      sinkLines.push(`sink ${sink}: ... ${hidden} more difference(s)`);
    }
    lines.push(...sinkLines);
  }
  return lines;
}

function compare(want: Json, got: Json, path: string, report: (path: string, text: string) => void): void {
  if (isDeepStrictEqual(want, got)) return;
  if (isRecord(want) && isRecord(got)) {
    for (const key of new Set([...Object.keys(want), ...Object.keys(got)])) {
      const child = path ? `${path}.${key}` : key;
      if (!(key in got)) report(child, `missing, expected ${preview(want[key] ?? null)}`);
      else if (!(key in want)) report(child, `unexpected ${preview(got[key] ?? null)}`);
      else compare(want[key] ?? null, got[key] ?? null, child, report);
    }
    return;
  }
  if (Array.isArray(want) && Array.isArray(got) && want.length === got.length) {
    want.forEach((item, i) => compare(item, got[i] ?? null, `${path}[${i}]`, report));
    return;
  }
  report(path, `expected ${preview(want)}, got ${preview(got)}`);
}

function isRecord(value: Json): value is { [key: string]: Json } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function preview(value: Json | undefined): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}
