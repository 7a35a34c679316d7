/**
 * Watches everything a runtime lets out — messages at every node, errors,
 * log lines, statuses, debug output — and fails a test when a canary (a
 * secret planted in the environment, a file, memory) appears in any of it.
 */
import assert from 'node:assert/strict';
import type { TestFlow } from '@loopedge/runtime';

export class CanaryScanner {
  readonly #events: string[] = [];

  constructor(
    readonly canaries: readonly string[],
    readonly flow: TestFlow,
    /** Nodes whose received messages are scanned too. */
    readonly nodeIds: readonly string[] = ['attack', 'attackOut', 'caught', 'steadyIn', 'steady', 'victim'],
  ) {
    const events = flow.runtime.events;
    events.on('node-log', (event) => this.#events.push(textOf(event)));
    events.on('node-error', (event) => this.#events.push(textOf(event)));
    events.on('node-status', (event) => this.#events.push(textOf(event)));
    events.on('debug', (event) => this.#events.push(textOf(event)));
  }

  /** Everything seen since the last call, then forgotten (messages are cleared by the test with flow.reset()). */
  assertClean(where: string): void {
    const texts = [...this.#events.splice(0), ...this.flow.errors.map((e) => textOf(e)), ...this.flow.warnings.map((w) => textOf(w))];
    for (const id of this.nodeIds) {
      for (const msg of this.flow.messagesAt(id)) texts.push(textOf(msg));
      for (const status of this.flow.statuses(id)) texts.push(textOf(status));
    }
    for (const text of texts) {
      for (const canary of this.canaries) {
        assert.ok(!text.includes(canary), `${where}: a canary leaked into the output: ${text.slice(0, 300)}`);
      }
    }
  }
}

/** Every string and byte in a value, joined: Buffers as their bytes (latin1), never their backing pool. */
function textOf(value: unknown, seen = new Set<object>(), depth = 0): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value !== 'object') return String(value);
  if (seen.has(value) || depth > 64) return '';
  seen.add(value);
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('latin1');
  if (value instanceof ArrayBuffer) return Buffer.from(value).toString('latin1');
  const parts: string[] = [];
  if (value instanceof Error) parts.push(value.name, value.message, value.stack ?? '');
  if (value instanceof Map) for (const [k, v] of value) parts.push(textOf(k, seen, depth + 1), textOf(v, seen, depth + 1));
  if (value instanceof Set) for (const v of value) parts.push(textOf(v, seen, depth + 1));
  for (const key of Object.keys(value)) parts.push(key, textOf((value as Record<string, unknown>)[key], seen, depth + 1));
  return parts.join(' ');
}
