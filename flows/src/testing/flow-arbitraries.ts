import fc from 'fast-check';
import type { FlowDocument, FlowItem, FlowProblemCode } from '../types.js';

/**
 * fast-check generators for the property tests: valid flow documents of every shape the
 * validator must accept, and mutations that each break one rule with a known problem code.
 * Test-only (fast-check is a devDependency); not exported from the package.
 */

type Draw = fc.GeneratorValue;

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);
const NODE_TYPES = ['inject', 'function', 'change', 'switch', 'debug'];

function hasForbiddenKey(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(hasForbiddenKey);
  return Object.keys(value).some((key) => FORBIDDEN.has(key) || hasForbiddenKey((value as Record<string, unknown>)[key]));
}

/** Property values as a node type might have them: any JSON up to 3 levels, no forbidden keys. */
const propertyValue = fc.jsonValue({ maxDepth: 3 }).filter((value) => !hasForbiddenKey(value));

/** A valid document: tabs, subflows with ports, instances, groups, global config nodes, wires within each flow. */
export const validFlowDocument: fc.Arbitrary<FlowDocument> = fc.gen().map((g) => buildValidFlows(g));

function buildValidFlows(g: Draw): FlowDocument {
  const doc: FlowItem[] = [];
  const tabs = range(g(fc.integer, { min: 1, max: 3 })).map((i) => `tab${i}`);
  const subflows = range(g(fc.integer, { min: 0, max: 2 })).map((i) => `sf${i}`);
  const configs = range(g(fc.integer, { min: 0, max: 2 })).map((i) => `cfg${i}`);
  for (const id of tabs) doc.push({ id, type: 'tab', label: id, disabled: g(fc.boolean), info: '' });
  for (const id of configs) doc.push({ id, type: 'mqtt-broker', z: '', broker: g(fc.domain), port: '1883' });

  // Decided up front: an instance has exactly as many outputs as its template.
  const subflowOutputs = new Map(subflows.map((id) => [id, g(fc.integer, { min: 0, max: 2 })]));
  const nodesIn = new Map<string, string[]>();
  for (const container of [...tabs, ...subflows]) {
    const count = g(fc.integer, { min: 0, max: 6 });
    const ids = range(count).map((i) => `${container}-n${i}`);
    nodesIn.set(container, ids);
    for (const id of ids) {
      // Only tabs hold subflow instances, so no subflow can contain itself.
      const isInstance = tabs.includes(container) && subflows.length > 0 && g(fc.boolean);
      const template = isInstance ? g(fc.constantFrom, ...subflows) : undefined;
      const type = template === undefined ? g(fc.constantFrom, ...NODE_TYPES) : `subflow:${template}`;
      const outputs = template === undefined ? g(fc.integer, { min: 0, max: 2 }) : (subflowOutputs.get(template) ?? 0);
      const wires = range(outputs).map(() => g(fc.subarray, ids));
      const node: FlowItem = { id, type, z: container, name: g(fc.string), x: g(fc.integer, { min: 0, max: 2000 }), y: g(fc.integer, { min: 0, max: 2000 }), wires };
      if (configs.length > 0 && g(fc.boolean)) node['broker'] = g(fc.constantFrom, ...configs);
      const keys: string[] = g(() => fc.uniqueArray(fc.constantFrom('payload', 'rules', 'props', 'topic', 'func'), { maxLength: 3 }));
      for (const key of keys) {
        node[key] = g(() => propertyValue);
      }
      doc.push(node);
    }
  }
  for (const id of subflows) {
    const inner = nodesIn.get(id) ?? [];
    const port = (mayNameSelf: boolean): { x: number; y: number; wires: Array<{ id: string; port?: number }> } => ({
      x: 10,
      y: 10,
      wires: g(fc.subarray, mayNameSelf ? [...inner, id] : inner).map((target) => ({ id: target, port: 0 })),
    });
    doc.push({ id, type: 'subflow', name: id, in: range(g(fc.integer, { min: 0, max: 1 })).map(() => port(false)), out: range(subflowOutputs.get(id) ?? 0).map(() => port(true)), env: [] });
  }
  for (const tab of tabs) {
    const members = g(fc.subarray, nodesIn.get(tab) ?? []);
    if (members.length === 0 || !g(fc.boolean)) continue;
    const groupId = `${tab}-group`;
    doc.push({ id: groupId, type: 'group', z: tab, name: 'group', style: { label: true }, nodes: members, x: 0, y: 0, w: 100, h: 100 });
    for (const item of doc) if (members.includes(item.id)) item['g'] = groupId;
  }
  return g(fc.shuffledSubarray, doc, { minLength: doc.length });
}

/** A way to break a valid document, and the problem code the validator must then report. */
export interface Mutation {
  name: string;
  expected: FlowProblemCode;
  /** Returns the broken document, or undefined when this document offers nothing to break. */
  apply(doc: FlowDocument, g: Draw): unknown;
}

const nodesOf = (doc: FlowDocument): FlowItem[] => doc.filter((item) => !['tab', 'subflow', 'group'].includes(item.type) && item['z'] !== '');

function pickNode(doc: FlowDocument, g: Draw): FlowItem | undefined {
  const nodes = nodesOf(doc);
  return nodes.length === 0 ? undefined : g(fc.constantFrom, ...nodes);
}

function replaceItem(doc: FlowDocument, target: FlowItem, replacement: unknown): unknown[] {
  return doc.map((item) => (item === target ? replacement : item));
}

function nest(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? { level: value } : [value];
  return value;
}

export const mutations: Mutation[] = [
  {
    name: 'drop a node that is wired to',
    expected: 'missing-wire-target',
    apply(doc, g) {
      // A node wired only to itself disappears with its wire, so only wires from others count.
      const targets = [...new Set(nodesOf(doc).flatMap((node) => (node['wires'] as string[][]).flat().filter((id) => id !== node.id)))];
      if (targets.length === 0) return undefined;
      const dropped = g(fc.constantFrom, ...targets);
      return doc.filter((item) => item.id !== dropped);
    },
  },
  {
    name: 'duplicate an id',
    expected: 'duplicate-id',
    apply: (doc, g) => (doc.length === 0 ? undefined : [...doc, structuredClone(g(fc.constantFrom, ...doc))]),
  },
  {
    name: 'add a __proto__ key somewhere inside an item',
    expected: 'forbidden-key',
    apply(doc, g) {
      if (doc.length === 0) return undefined;
      const item = g(fc.constantFrom, ...doc);
      const key = g(fc.constantFrom, '__proto__', 'constructor', 'prototype');
      const depth = g(fc.integer, { min: 0, max: 5 });
      // Built as JSON text: JSON.parse makes an own "__proto__" member, as a request body would.
      if (depth === 0) return replaceItem(doc, item, JSON.parse(JSON.stringify(item).replace(/^\{/, `{"${key}":{"polluted":true},`)));
      let text = `{"${key}":{"polluted":true}}`;
      for (let level = 1; level < depth; level++) text = level % 2 === 0 ? `[${text}]` : `{"level":${text}}`;
      return replaceItem(doc, item, { ...item, extra: JSON.parse(text) as unknown });
    },
  },
  {
    name: 'point z at a missing tab',
    expected: 'missing-tab',
    apply(doc, g) {
      const node = pickNode(doc, g);
      return node === undefined ? undefined : replaceItem(doc, node, { ...node, z: 'no-such-tab' });
    },
  },
  {
    name: 'nest a value past the depth limit',
    expected: 'too-deep',
    apply: (doc, g) => {
      const item = g(fc.constantFrom, ...doc);
      return replaceItem(doc, item, { ...item, deep: nest(g(fc.integer, { min: 33, max: 60 }), 1) });
    },
  },
  {
    name: 'make an id a number',
    expected: 'missing-id',
    apply: (doc, g) => {
      const item = g(fc.constantFrom, ...doc);
      return replaceItem(doc, item, { ...item, id: g(() => fc.oneof(fc.integer(), fc.constant(''), fc.constant(null))) });
    },
  },
  {
    name: 'make a type something other than a string',
    expected: 'missing-type',
    apply: (doc, g) => {
      const item = g(fc.constantFrom, ...doc);
      return replaceItem(doc, item, { ...item, type: g(() => fc.oneof(fc.integer(), fc.constant(''), fc.array(fc.string()))) });
    },
  },
  {
    name: 'make wires something other than an array of arrays of strings',
    expected: 'invalid-field',
    apply(doc, g) {
      const node = pickNode(doc, g);
      const wires = g(() => fc.oneof(fc.string(), fc.constant([1]), fc.constant([[{}]]), fc.constant({ 0: [] })));
      return node === undefined ? undefined : replaceItem(doc, node, { ...node, wires });
    },
  },
  {
    name: 'replace an item by a non-object',
    expected: 'not-an-object',
    apply: (doc, g) => (doc.length === 0 ? undefined : replaceItem(doc, g(fc.constantFrom, ...doc), g(() => fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.array(fc.integer()))))),
  },
  {
    name: 'point g at a missing group',
    expected: 'missing-reference',
    apply(doc, g) {
      const node = pickNode(doc, g);
      return node === undefined ? undefined : replaceItem(doc, node, { ...node, g: 'no-such-group' });
    },
  },
  {
    name: 'use a subflow that is not in the document',
    expected: 'unknown-type',
    apply(doc, g) {
      const node = pickNode(doc, g);
      return node === undefined ? undefined : replaceItem(doc, node, { ...node, type: 'subflow:no-such-subflow' });
    },
  },
  {
    name: 'send something that is not an array',
    expected: 'not-an-array',
    apply: (doc, g) => g(fc.constantFrom, { flows: doc }, JSON.stringify(doc), null),
  },
];

function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}
