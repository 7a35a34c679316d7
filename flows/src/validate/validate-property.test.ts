import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { FlowProblemCode } from '../types.js';
import { mutations, validFlowDocument } from '../testing/flow-arbitraries.js';
import { diffFlows } from '../diff/index.js';
import { parseFlowSet } from '../flow-set/index.js';
import { formatProblem, validateFlowDocument } from './index.js';

const CODES: ReadonlySet<FlowProblemCode> = new Set<FlowProblemCode>([
  'not-an-array', 'not-an-object', 'missing-id', 'missing-type', 'duplicate-id', 'unknown-type', 'missing-wire-target',
  'no-such-port', 'missing-tab', 'forbidden-key', 'too-deep', 'too-large', 'invalid-field', 'invalid-config', 'missing-reference',
]);

/** Any answer must be well formed: ok with the same document, or problems a person can read. */
function assertWellFormed(doc: unknown): ReturnType<typeof validateFlowDocument> {
  const result = validateFlowDocument(doc);
  if (result.ok) {
    assert.equal(result.flows, doc);
    return result;
  }
  assert.ok(result.problems.length > 0);
  for (const problem of result.problems) {
    assert.ok(CODES.has(problem.code), problem.code);
    assert.equal(typeof problem.field, 'string');
    assert.ok(problem.reason.length > 10);
    assert.equal(formatProblem(problem).includes('\n'), false);
  }
  return result;
}

describe('validateFlowDocument properties', () => {
  test('generated valid documents pass, before and after a JSON round trip', () => {
    fc.assert(
      fc.property(validFlowDocument, (doc) => {
        const result = validateFlowDocument(doc);
        assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
        assert.equal(validateFlowDocument(JSON.parse(JSON.stringify(doc))).ok, true);
      }),
      { numRuns: 300 },
    );
  });

  test('valid documents diff as unchanged against a copy, and every node lands in exactly one place of the flow set', () => {
    fc.assert(
      fc.property(validFlowDocument, (doc) => {
        const diff = diffFlows(doc, structuredClone(doc));
        assert.deepEqual([...diff.added, ...diff.removed, ...diff.changed, ...diff.rewired, ...diff.moved], []);
        const set = parseFlowSet(doc);
        const placed = [...set.nodesByFlow.values()].flat().length + set.configNodes.size + set.tabs.size + set.subflows.size + set.groups.size;
        assert.equal(placed, doc.length);
      }),
      { numRuns: 100 },
    );
  });

  for (const mutation of mutations) {
    test(`broken by "${mutation.name}": never passes, reports ${mutation.expected}`, () => {
      fc.assert(
        fc.property(validFlowDocument, fc.gen(), (doc, g) => {
          const broken = mutation.apply(doc, g);
          fc.pre(broken !== undefined);
          const result = assertWellFormed(broken);
          assert.equal(result.ok, false);
          const codes = result.ok ? [] : result.problems.map((p) => p.code);
          assert.ok(codes.includes(mutation.expected), `expected ${mutation.expected}, got ${codes.join(', ')}`);
        }),
        { numRuns: 100 },
      );
      assert.equal(({} as Record<string, unknown>)['polluted'], undefined, 'Object.prototype stays clean');
    });
  }

  test('arbitrary values, including odd objects, never make it throw', () => {
    const odd = fc.anything({
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
      withUnicodeString: true,
    });
    const itemLike = fc.record({ id: odd, type: odd, z: odd, wires: odd, g: odd, nodes: odd, in: odd, out: odd }, { requiredKeys: [] });
    fc.assert(
      fc.property(fc.oneof(odd, fc.array(fc.oneof(odd, itemLike))), (value) => {
        assertWellFormed(value);
      }),
      { numRuns: 500 },
    );
  });
});
