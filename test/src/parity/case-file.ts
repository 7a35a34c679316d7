import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FlowDocument } from '@loopedge/flows';
import type { Json } from './normalize.js';

/** One message fed to the flow; `afterMs` waits that long after the previous input (or the flow's start). */
export interface ParityInput {
  node: string;
  msg: { [key: string]: Json };
  afterMs?: number;
}

/** A parity case as stored in `test/parity/cases/<area>/<name>.json`. */
export interface ParityCase {
  name: string;
  description: string;
  /** A Node-RED flow export, unchanged. */
  flow: FlowDocument;
  inputs: ParityInput[];
  /** Nodes whose input messages are compared (usually inactive debug nodes). */
  sinks: string[];
  /** Environment variables the flow sees (`${FOO}`, `env.get`). */
  env?: Record<string, string>;
  /** How long to wait after the last input before reading the sinks. Default 50 ms. */
  settleMs?: number;
  /** Which Node-RED recorded `expected`, e.g. "node-red 4.1.8". Written by the recorder. */
  recordedWith?: string;
  /** Normalised messages per sink, recorded from Node-RED by `record-expected`. Never hand-written. */
  expected?: Record<string, Json[]>;
}

export interface LoadedCase {
  /** The folder under cases/, e.g. `switch`. */
  area: string;
  /** Absolute path of the file. */
  file: string;
  parityCase: ParityCase;
}

export const DEFAULT_SETTLE_MS = 50;

/** `test/parity/cases`, found from the compiled file (`test/dist/parity/`) or the source (`test/src/parity/`). */
export const casesDirectory = fileURLToPath(new URL('../../parity/cases', import.meta.url));

/** Every case under `directory`, sorted by area then file name; `filter` keeps paths containing any of its strings. */
export function loadCases(directory = casesDirectory, filter: readonly string[] = []): LoadedCase[] {
  const cases: LoadedCase[] = [];
  for (const area of readdirSync(directory, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort()) {
    for (const name of readdirSync(join(directory, area)).filter((n) => n.endsWith('.json')).sort()) {
      const file = join(directory, area, name);
      const path = relative(directory, file);
      if (filter.length > 0 && !filter.some((part) => path.includes(part))) continue;
      cases.push({ area, file, parityCase: parseCase(readFileSync(file, 'utf8'), path) });
    }
  }
  return cases;
}

/** Parses and checks a case file; errors name the file and the field to fix. */
export function parseCase(text: string, where: string): ParityCase {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`Parity case ${where} is not valid JSON: ${(error as Error).message}`);
  }
  const fail = (field: string, problem: string): never => {
    throw new Error(`Parity case ${where}: "${field}" ${problem}`);
  };
  if (!isObject(raw)) return fail('(root)', 'must be an object');
  if (typeof raw.name !== 'string' || raw.name === '') fail('name', 'must be a non-empty string');
  if (typeof raw.description !== 'string') fail('description', 'must be a string');
  if (!Array.isArray(raw.flow) || !raw.flow.every((n) => isObject(n) && typeof n.id === 'string' && typeof n.type === 'string')) {
    fail('flow', 'must be a Node-RED flow export: an array of objects with "id" and "type"');
  }
  const ids = new Set((raw.flow as FlowDocument).map((n) => n.id));
  if (!Array.isArray(raw.inputs)) fail('inputs', 'must be an array (may be empty)');
  (raw.inputs as unknown[]).forEach((input, i) => {
    if (!isObject(input) || typeof input.node !== 'string' || !isObject(input.msg)) fail(`inputs[${i}]`, 'must be { "node": id, "msg": {...} }');
    const { node, afterMs } = input as { node: string; afterMs?: unknown };
    if (!ids.has(node)) fail(`inputs[${i}].node`, `names ${node}, which is not in the flow`);
    if (afterMs !== undefined && (typeof afterMs !== 'number' || afterMs < 0)) fail(`inputs[${i}].afterMs`, 'must be a number of milliseconds >= 0');
  });
  if (!Array.isArray(raw.sinks) || raw.sinks.length === 0 || !raw.sinks.every((s) => typeof s === 'string')) {
    fail('sinks', 'must list at least one node id');
  }
  for (const sink of raw.sinks as string[]) if (!ids.has(sink)) fail('sinks', `names ${sink}, which is not in the flow`);
  if (raw.settleMs !== undefined && (typeof raw.settleMs !== 'number' || raw.settleMs < 0)) fail('settleMs', 'must be a number of milliseconds >= 0');
  if (raw.env !== undefined && (!isObject(raw.env) || !Object.values(raw.env).every((v) => typeof v === 'string'))) {
    fail('env', 'must map names to string values');
  }
  if (raw.expected !== undefined) {
    if (!isObject(raw.expected)) fail('expected', 'must map each sink id to an array of messages');
    for (const sink of raw.sinks as string[]) {
      if (!Array.isArray((raw.expected as Record<string, unknown>)[sink])) fail(`expected.${sink}`, 'is missing: re-record the case');
    }
  }
  return raw as unknown as ParityCase;
}

/**
 * Writes a case back with one flow node, input or message per line: readable,
 * and a re-recording shows as a small diff.
 */
export function writeCase(file: string, parityCase: ParityCase): void {
  const lines: string[] = ['{'];
  const entries = Object.entries(parityCase).filter(([, v]) => v !== undefined);
  entries.forEach(([key, value], index) => {
    const comma = index < entries.length - 1 ? ',' : '';
    if (key === 'flow' || key === 'inputs') {
      lines.push(`  ${JSON.stringify(key)}: ${formatList(value as unknown[], '  ')}${comma}`);
    } else if (key === 'expected') {
      const sinks = Object.entries(value as Record<string, Json[]>);
      lines.push(`  "expected": {`);
      sinks.forEach(([sink, msgs], i) => lines.push(`    ${JSON.stringify(sink)}: ${formatList(msgs, '    ')}${i < sinks.length - 1 ? ',' : ''}`));
      lines.push(`  }${comma}`);
    } else {
      lines.push(`  ${JSON.stringify(key)}: ${JSON.stringify(value)}${comma}`);
    }
  });
  lines.push('}');
  writeFileSync(file, `${lines.join('\n')}\n`);
}

function formatList(items: unknown[], indent: string): string {
  if (items.length === 0) return '[]';
  return `[\n${items.map((item) => `${indent}  ${JSON.stringify(item)}`).join(',\n')}\n${indent}]`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
