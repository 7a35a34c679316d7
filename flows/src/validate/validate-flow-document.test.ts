import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowDocument, FlowItem, FlowProblem } from '../types.js';
import { largeFlows, sampleFlows, withItem } from '../testing/sample-flows.js';
import { formatProblem, missingTypes, validateFlowDocument, type ValidationOptions } from './index.js';

function problemsOf(doc: unknown, options?: ValidationOptions): FlowProblem[] {
  const result = validateFlowDocument(doc, options);
  return result.ok ? [] : result.problems;
}

/** The one problem with `code`, failing if there is not exactly one. */
function onlyProblem(doc: unknown, code: FlowProblem['code'], options?: ValidationOptions): FlowProblem {
  const problems = problemsOf(doc, options);
  const matching = problems.filter((p) => p.code === code);
  assert.equal(matching.length, 1, `expected one ${code}, got ${JSON.stringify(problems, null, 1)}`);
  return matching[0]!;
}

const tab: FlowItem = { id: 't1', type: 'tab', label: 'Flow' };
const node = (id: string, extra: Record<string, unknown> = {}): FlowItem => ({ id, type: 'function', z: 't1', x: 1, y: 1, wires: [], ...extra });

describe('validateFlowDocument: valid documents', () => {
  test('a Node-RED export with tabs, groups, config nodes, links and a subflow passes and is returned as is', () => {
    const doc = sampleFlows();
    const result = validateFlowDocument(doc);
    assert.deepEqual(result, { ok: true, flows: doc });
  });

  test('a document parsed from JSON text passes (the shape the API receives)', () => {
    assert.equal(validateFlowDocument(JSON.parse(JSON.stringify(sampleFlows()))).ok, true);
  });

  test('an empty document is valid (no flows deployed)', () => {
    assert.equal(validateFlowDocument([]).ok, true);
  });

  test('a 10,000-node document passes', () => {
    assert.equal(validateFlowDocument(largeFlows(10_000)).ok, true);
  });
});

describe('validateFlowDocument: document and item shape', () => {
  test('a value that is not an array is refused', () => {
    for (const doc of [undefined, null, 'flows', 42, { id: 'x', type: 'tab' }]) {
      assert.deepEqual(problemsOf(doc).map((p) => p.code), ['not-an-array']);
    }
  });

  test('items that are not objects are reported by position, and the rest are still checked', () => {
    const problems = problemsOf([tab, 'inject', null, [1], node('n1', { wires: [['nope']] })]);
    assert.deepEqual(
      problems.map((p) => [p.code, p.index, p.field]),
      [
        ['not-an-object', 1, '$'],
        ['not-an-object', 2, '$'],
        ['not-an-object', 3, '$'],
        ['missing-wire-target', 4, 'wires[0][0]'],
      ],
    );
    assert.match(problems[0]!.reason, /item 1 is a string, not an object/);
  });

  test('missing, empty and non-string ids are each reported', () => {
    const problems = problemsOf([tab, { type: 'function', z: 't1' }, { id: '', type: 'function', z: 't1' }, { id: 7, type: 'function', z: 't1' }]);
    const missing = problems.filter((p) => p.code === 'missing-id');
    assert.deepEqual(missing.map((p) => [p.index, p.field]), [[1, 'id'], [2, 'id'], [3, 'id']]);
    assert.match(missing[2]!.reason, /a number/);
  });

  test('a missing or non-string type is reported on the node', () => {
    const problems = problemsOf([tab, { id: 'n1', z: 't1' }, { id: 'n2', z: 't1', type: ['inject'] }]);
    assert.deepEqual(problems.map((p) => [p.code, p.nodeId]), [['missing-type', 'n1'], ['missing-type', 'n2']]);
  });

  test('a duplicate id names both positions', () => {
    const problem = onlyProblem([tab, node('n1'), node('n2'), node('n1')], 'duplicate-id');
    assert.equal(problem.field, 'id');
    assert.equal(problem.index, 3);
    assert.match(problem.reason, /item 1 and item 3/);
  });
});

describe('validateFlowDocument: wires', () => {
  test('a wire to a node that is not in the document names the field and the missing id', () => {
    const problem = onlyProblem([tab, node('n1', { wires: [['n2'], ['n3', 'ghost']] }), node('n2'), node('n3')], 'missing-wire-target');
    assert.equal(problem.nodeId, 'n1');
    assert.equal(problem.field, 'wires[1][1]');
    assert.match(problem.reason, /"ghost"/);
  });

  test('wires of the wrong shape are invalid fields, down to the offending element', () => {
    const problems = problemsOf([tab, node('a', { wires: 'n2' }), node('b', { wires: ['n2'] }), node('c', { wires: [[5]] })]);
    assert.deepEqual(problems.map((p) => [p.code, p.nodeId, p.field]), [
      ['invalid-field', 'a', 'wires'],
      ['invalid-field', 'b', 'wires[0]'],
      ['invalid-field', 'c', 'wires[0][0]'],
    ]);
  });

  test('wires to a tab, a subflow template, a group or a config node are refused', () => {
    const doc = [
      tab,
      { id: 'sf', type: 'subflow', in: [], out: [] },
      { id: 'g1', type: 'group', z: 't1', nodes: [] },
      { id: 'cfg', type: 'mqtt-broker', broker: 'localhost' },
      node('n1', { wires: [['t1', 'sf', 'g1', 'cfg']] }),
    ];
    const problems = problemsOf(doc, { isConfigType: (type) => type === 'mqtt-broker' });
    assert.deepEqual(problems.map((p) => p.field), ['wires[0][0]', 'wires[0][1]', 'wires[0][2]', 'wires[0][3]']);
    assert.ok(problems.every((p) => p.code === 'invalid-field' && /cannot receive messages/.test(p.reason)));
  });

  test('without isConfigType, config-node targets are not guessed: Node-RED test-helper flows stay valid', () => {
    // Node-RED runs nodes without z and x/y as global nodes, wires included.
    const doc = [{ id: 'n1', type: 'inject', wires: [['h1']] }, { id: 'h1', type: 'helper' }];
    assert.equal(validateFlowDocument(doc).ok, true);
  });

  test('with isConfigType, a config node placed on a tab is still not a wire target', () => {
    const doc = [tab, { id: 'cfg', type: 'mqtt-broker', z: 't1' }, node('n1', { wires: [['cfg']] })];
    assert.equal(validateFlowDocument(doc).ok, true);
    const problem = onlyProblem(doc, 'invalid-field', { isConfigType: (type) => type === 'mqtt-broker' });
    assert.equal(problem.field, 'wires[0][0]');
  });

  test('wires on an output the node does not have are no-such-port, when the output count is known', () => {
    const doc = [tab, node('n1', { wires: [['n2'], [], ['n2']] }), node('n2')];
    assert.equal(validateFlowDocument(doc).ok, true, 'without outputCount nothing is known');
    const problem = onlyProblem(doc, 'no-such-port', { outputCount: (n) => (n.type === 'function' ? 2 : undefined) });
    assert.equal(problem.field, 'wires[2]');
    assert.match(problem.reason, /2 outputs/);
  });

  test('a trailing empty output array is tolerated, as Node-RED does', () => {
    const doc = [tab, node('n1', { wires: [['n2'], []] }), node('n2')];
    assert.equal(validateFlowDocument(doc, { outputCount: () => 1 }).ok, true);
  });

  test('a subflow instance takes its output count from the template', () => {
    const doc = [
      tab,
      { id: 'sf', type: 'subflow', in: [], out: [{ wires: [] }] },
      node('inst', { type: 'subflow:sf', wires: [['n2'], ['n2']] }),
      node('n2'),
    ];
    const problem = onlyProblem(doc, 'no-such-port', { outputCount: () => undefined });
    assert.equal(problem.field, 'wires[1]');
  });
});

describe('validateFlowDocument: containers, groups and subflows', () => {
  test('z naming no tab is missing-tab; a node placed on the canvas with no z is missing-tab; a config node may omit z', () => {
    const problems = problemsOf([tab, node('n1', { z: 'gone' }), node('n2', { z: undefined }), { id: 'cfg', type: 'mqtt-broker', z: '' }]);
    assert.deepEqual(problems.map((p) => [p.code, p.nodeId, p.field]), [['missing-tab', 'n1', 'z'], ['missing-tab', 'n2', 'z']]);
    assert.match(problems[0]!.reason, /"gone"/);
  });

  test('z naming something that is not a tab or subflow is missing-tab', () => {
    const problem = onlyProblem([tab, node('n1'), node('n2', { z: 'n1' })], 'missing-tab');
    assert.match(problem.reason, /a node of type "function", not a tab or subflow/);
  });

  test('a group must sit on a tab; a config type placed on the canvas may omit z when the caller says it is one', () => {
    const problem = onlyProblem([tab, { id: 'g1', type: 'group', nodes: [] }], 'missing-tab');
    assert.equal(problem.nodeId, 'g1');
    const placedConfig = [tab, { id: 'cfg', type: 'mqtt-broker', x: 10, y: 10 }];
    assert.equal(onlyProblem(placedConfig, 'missing-tab').nodeId, 'cfg');
    assert.equal(validateFlowDocument(placedConfig, { isConfigType: (type) => type === 'mqtt-broker' }).ok, true);
  });

  test('a config node scoped to a tab or subflow is fine', () => {
    assert.equal(validateFlowDocument([tab, { id: 'cfg', type: 'mqtt-broker', z: 't1' }]).ok, true);
  });

  test('a subflow instance whose template is missing is an unknown type', () => {
    const problem = onlyProblem([tab, node('n1', { type: 'subflow:nowhere' })], 'unknown-type');
    assert.equal(problem.field, 'type');
    assert.match(problem.reason, /"nowhere"/);
  });

  test('subflow port wires must name nodes inside the subflow; out ports may name the subflow itself', () => {
    const doc = [
      tab,
      node('outside'),
      {
        id: 'sf',
        type: 'subflow',
        in: [{ wires: [{ id: 'inner' }, { id: 'ghost' }] }],
        out: [{ wires: [{ id: 'sf', port: 0 }, { id: 'outside', port: 0 }] }],
        status: { wires: [{ id: 'gone', port: 0 }] },
      },
      node('inner', { z: 'sf' }),
    ];
    const problems = problemsOf(doc);
    assert.deepEqual(problems.map((p) => [p.code, p.field]), [
      ['missing-wire-target', 'in[0].wires[1].id'],
      ['invalid-field', 'out[0].wires[1].id'],
      ['missing-wire-target', 'status.wires[0].id'],
    ]);
  });

  test('group members and g must name items that exist', () => {
    const doc = [tab, { id: 'g1', type: 'group', z: 't1', nodes: ['n1', 'lost'] }, node('n1', { g: 'g1' }), node('n2', { g: 'nogroup' }), node('n3', { g: 'n1' })];
    const problems = problemsOf(doc);
    assert.deepEqual(problems.map((p) => [p.code, p.nodeId, p.field]), [
      ['missing-reference', 'g1', 'nodes[1]'],
      ['missing-reference', 'n2', 'g'],
      ['missing-reference', 'n3', 'g'],
    ]);
  });

  test('a subflow that contains itself, directly or through another subflow, is refused', () => {
    const doc = [
      tab,
      { id: 'A', type: 'subflow', in: [], out: [] },
      { id: 'B', type: 'subflow', in: [], out: [] },
      node('a-uses-b', { z: 'A', type: 'subflow:B' }),
      node('b-uses-a', { z: 'B', type: 'subflow:A' }),
      node('on-tab', { type: 'subflow:A' }),
    ];
    const problems = problemsOf(doc);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.code, 'invalid-field');
    assert.match(problems[0]!.reason, /cannot contain itself/);
  });
});

describe('validateFlowDocument: node types', () => {
  const isKnownType = (type: string): boolean => ['function', 'inject'].includes(type);

  test('unknown types are reported once per node, naming the type and what to do', () => {
    const doc = [tab, node('n1', { type: 'modbus-read' }), node('n2', { type: 'modbus-read' }), node('n3')];
    const problems = problemsOf(doc, { isKnownType });
    assert.deepEqual(problems.map((p) => [p.code, p.nodeId]), [['unknown-type', 'n1'], ['unknown-type', 'n2']]);
    assert.match(problems[0]!.reason, /"modbus-read" is not installed; install the package that provides it or remove the node/);
  });

  test('missingTypes lists each missing type once, including subflows that are not in the document', () => {
    const doc = [tab, node('n1', { type: 'modbus-read' }), node('n2', { type: 'modbus-read' }), node('n3', { type: 'subflow:gone' }), node('n4')];
    assert.deepEqual(missingTypes(doc, isKnownType), ['modbus-read', 'subflow:gone']);
    assert.deepEqual(missingTypes(sampleFlows(), () => true), []);
    assert.deepEqual(missingTypes('not a document', isKnownType), []);
  });

  test('a throwing isKnownType counts as "not known" and does not escape', () => {
    const problems = problemsOf([tab, node('n1')], { isKnownType: () => { throw new Error('registry down'); } });
    assert.deepEqual(problems.map((p) => p.code), ['unknown-type']);
  });
});

describe('validateFlowDocument: hostile values', () => {
  test('__proto__, constructor and prototype keys are refused at any depth, with the path', () => {
    const doc = JSON.parse(
      '[{"id":"t1","type":"tab","__proto__":{"polluted":true}},' +
        '{"id":"n1","type":"function","z":"t1","wires":[],"props":[{"p":"a"},{"p":"b","constructor":{"prototype":1}}]}]',
    ) as unknown;
    const problems = problemsOf(doc);
    assert.deepEqual(problems.map((p) => [p.code, p.nodeId, p.field]), [
      ['forbidden-key', 't1', '__proto__'],
      ['forbidden-key', 'n1', 'props[1].constructor'],
      ['forbidden-key', 'n1', 'props[1].constructor.prototype'],
    ]);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  test('nesting past maxDepth is too-deep, once per item', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 40; i++) deep = { next: deep };
    const problem = onlyProblem([tab, node('n1', { deep })], 'too-deep');
    assert.equal(problem.nodeId, 'n1');
    assert.equal(problem.field, `deep${'.next'.repeat(32)}`);
    assert.equal(validateFlowDocument([tab, node('n1', { deep })], { limits: { maxDepth: 64 } }).ok, true);
  });

  test('a document over maxBytes or maxItems is too-large and checking stops there', () => {
    const big = node('n1', { func: 'x'.repeat(2000) });
    assert.equal(onlyProblem([tab, big], 'too-large', { limits: { maxBytes: 1000 } }).field, '$');
    assert.equal(validateFlowDocument([tab, big], { limits: { maxBytes: 10_000 } }).ok, true);
    const problems = problemsOf([tab, node('n1'), node('n2', { z: 'nowhere' })], { limits: { maxItems: 2 } });
    assert.deepEqual(problems.map((p) => p.code), ['too-large']);
  });

  test('a huge sparse array is refused by its length without walking it', () => {
    const huge: unknown[] = [];
    huge.length = 2 ** 32 - 1;
    assert.deepEqual(problemsOf([tab, node('n1', { huge })]).map((p) => p.code), ['too-large']);
  });

  test('cycles, getters, throwing getters, non-plain objects and non-JSON values are reported, never thrown', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = cyclic;
    const withGetter = node('n2');
    Object.defineProperty(withGetter, 'secret', { enumerable: true, get: () => { throw new Error('boom'); } });
    const doc = [
      tab,
      node('n1', { cyclic }),
      withGetter,
      node('n3', { when: new Date(0), big: 10n, fn: () => 1, nan: Number.NaN, sym: Symbol('s') }),
    ];
    const problems = problemsOf(doc);
    assert.deepEqual(problems.map((p) => [p.code, p.nodeId, p.field]), [
      ['invalid-field', 'n1', 'cyclic.self'],
      ['invalid-field', 'n2', 'secret'],
      ['invalid-field', 'n3', 'when'],
      ['invalid-field', 'n3', 'big'],
      ['invalid-field', 'n3', 'fn'],
      ['invalid-field', 'n3', 'nan'],
      ['invalid-field', 'n3', 'sym'],
    ]);
    assert.match(problems[2]!.reason, /a Date object/);
  });

  test('revoked proxies and throwing traps are reported, never thrown', () => {
    const revocable = Proxy.revocable([] as unknown[], {});
    revocable.revoke();
    assert.equal(validateFlowDocument(revocable.proxy).ok, false);
    const trap = new Proxy({ id: 'n1', type: 'function' }, { ownKeys: () => { throw new Error('no keys'); } });
    const problems = problemsOf([tab, trap]);
    assert.ok(problems.length > 0);
    const revokedItem = Proxy.revocable({}, {});
    revokedItem.revoke();
    assert.equal(validateFlowDocument([tab, revokedItem.proxy]).ok, false);
  });

  test('every problem of a broken document is collected, not just the first', () => {
    const doc: FlowDocument = withItem(withItem(sampleFlows(), 'inject1', (item) => ({ ...item, z: 'gone', wires: [['ghost']] })), 'debug1', (item) => ({ ...item, g: 'nogroup' }));
    const problems = problemsOf([...doc, { ...doc[0]! }]);
    assert.deepEqual(problems.map((p) => p.code).sort(), ['duplicate-id', 'missing-reference', 'missing-tab', 'missing-wire-target']);
  });
});

describe('formatProblem', () => {
  test('one line: node id or item position, field, reason', () => {
    assert.equal(
      formatProblem({ code: 'missing-wire-target', nodeId: 'n1', field: 'wires[0][1]', reason: 'is wired to "x"' }),
      'n1 wires[0][1]: is wired to "x"',
    );
    assert.equal(formatProblem({ code: 'not-an-object', index: 3, field: '$', reason: 'item 3 is null' }), '(item 3) $: item 3 is null');
    assert.equal(formatProblem({ code: 'not-an-array', field: '$', reason: 'bad' }), '(document) $: bad');
  });

  test('an id or reason with line breaks cannot forge a second log line', () => {
    const line = formatProblem({ code: 'missing-tab', nodeId: 'n1\nERROR fake', field: 'z', reason: 'first\nsecond' });
    assert.equal(line.includes('\n'), false);
    assert.equal(line, '"n1\\nERROR fake" z: first second');
  });
});
