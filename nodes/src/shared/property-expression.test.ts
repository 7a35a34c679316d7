import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { compileMessagePath, compilePath, deletePath, getPath, resolveExpression, setPath, type CompiledPath } from './property-expression.js';

// Node-RED's own implementation (node-red is a dev dependency of the repo):
// every case below is checked against it, so a difference is a test failure.
interface NodeRedUtil {
  normalisePropertyExpression(expr: string, msg?: object, toString?: boolean): unknown[] | string;
  getMessageProperty(msg: object, expr: string): unknown;
  setMessageProperty(msg: object, expr: string, value: unknown, createMissing?: boolean): boolean;
}
const require = createRequire(import.meta.url);
const nodeRed = (require('@node-red/util') as { util: NodeRedUtil }).util;

function flatten(path: CompiledPath): unknown[] {
  return path.parts.map((p) => (typeof p === 'object' ? flatten(p) : p));
}

function outcome<T>(run: () => T): { ok: true; value: T } | { ok: false } {
  try {
    return { ok: true, value: run() };
  } catch {
    return { ok: false };
  }
}

const expressions = [
  'payload',
  'a.b.c',
  'a["b c"].d[0]',
  "a['b.c']",
  'a.0.b',
  'a[0][1]',
  'a[msg.topic]',
  'a[msg.b["c"]].d',
  '$x._y',
  // rejected ones
  '',
  '.a',
  'a.',
  'a..b',
  'a b',
  '[0]',
  'a[b]',
  'a[0',
  'a["b"',
  'a[""]',
  'a.b]',
  'a[msg.x',
];

describe('property expressions: same parse as Node-RED', () => {
  for (const expr of expressions) {
    test(JSON.stringify(expr), () => {
      const ours = outcome(() => flatten(compilePath(expr)));
      const theirs = outcome(() => nodeRed.normalisePropertyExpression(expr));
      assert.equal(ours.ok, theirs.ok, `accepted by ${ours.ok ? 'us' : 'Node-RED'} only`);
      if (ours.ok && theirs.ok) {
        // Node-RED keeps nested references as arrays that start with 'msg'.
        const normalise = (parts: unknown[]): unknown[] => parts.map((p) => (Array.isArray(p) ? normalise(p[0] === 'msg' ? p.slice(1) : p) : p));
        assert.deepEqual(ours.value, normalise(theirs.value as unknown[]));
      }
    });
  }

  test('prototype-polluting names are refused (Node-RED allows them)', () => {
    assert.throws(() => compilePath('__proto__.x'), /not allowed/);
    assert.throws(() => compilePath('a["constructor"]'), /not allowed/);
    const msg = { topic: '__proto__', a: {} };
    assert.throws(() => setPath(msg, compilePath('a[msg.topic]'), 1), /not allowed/);
  });
});

describe('get / set / delete: same results as Node-RED', () => {
  const messages = (): Array<Record<string, unknown>> => [{}, { a: 1 }, { a: { b: 'x' } }, { a: [1, 2, 3] }, { a: null }, { a: 'text' }, { topic: 'k', a: { k: 5 } }];
  const paths = ['a', 'a.b', 'a.b.c', 'a[1]', 'a[5].x', 'msg.a.b', 'a[msg.topic]', 'a.length'];

  for (const path of paths) {
    test(`get ${path}`, () => {
      for (const msg of messages()) {
        const ours = outcome(() => getPath(msg, compileMessagePath(path)));
        const theirs = outcome(() => nodeRed.getMessageProperty(msg, path));
        assert.deepEqual(ours, theirs, `on ${JSON.stringify(msg)}`);
      }
    });

    for (const value of ['v', undefined]) {
      test(`set ${path} = ${String(value)}`, () => {
        for (const createMissing of [true, false, undefined]) {
          const [mine, reference] = [messages(), messages()];
          mine.forEach((msg, i) => {
            const ours = outcome(() => setPath(msg, compileMessagePath(path), value, createMissing ?? value !== undefined));
            const theirs = outcome(() => nodeRed.setMessageProperty(reference[i]!, path, value, createMissing));
            assert.deepEqual(ours, theirs, `result on ${JSON.stringify(messages()[i])}`);
            assert.deepEqual(msg, reference[i], `message after set on ${JSON.stringify(messages()[i])}`);
          });
        }
      });
    }
  }

  test('delete splices arrays', () => {
    const msg = { a: [1, 2, 3] };
    deletePath(msg, compilePath('a[1]'));
    assert.deepEqual(msg, { a: [1, 3] });
  });

  test('nested references resolve to a context key', () => {
    assert.equal(resolveExpression(compilePath('lookup[msg.topic].x'), { topic: 'b' }), 'lookup["b"]["x"]');
    assert.equal(resolveExpression(compilePath('a[msg.i]'), { i: 2 }), 'a[2]');
    assert.equal(nodeRed.normalisePropertyExpression('lookup[msg.topic].x', { topic: 'b' }, true), 'lookup["b"]["x"]');
  });
});
