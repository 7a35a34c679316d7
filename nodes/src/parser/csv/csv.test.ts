import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowMessage, TestFlow } from '@loopedge/runtime';
import { outputId, withNode } from '../../shared/node-test-kit.js';
import { csvNode } from './index.js';

/** Send every input, then prove the node is idle with a marker sent straight to the sink (one FIFO queue). */
async function drain(flow: TestFlow, inputs: Array<Partial<FlowMessage>>): Promise<FlowMessage[]> {
  for (const msg of inputs) flow.receive('n', msg);
  await flow.waitUntil(() => flow.messagesAt('n').length >= inputs.length);
  flow.receive(outputId(0), { __marker: true });
  await flow.waitUntil(() => flow.messagesAt(outputId(0)).some((m) => m.__marker === true));
  return flow.messagesAt(outputId(0)).filter((m) => m.__marker !== true);
}

/** Outputs without their random ids (parts.id becomes "ID"). */
function shape(msg: FlowMessage): Record<string, unknown> {
  const { _msgid, ...rest } = msg;
  if (rest.parts) rest.parts = { ...(rest.parts as object), id: 'ID' };
  return rest;
}

const base = { sep: ',', hdrout: 'none', multi: 'one', ret: '\\n', skip: '0', strings: true, temp: '' };

interface CsvCase {
  name: string;
  config: Record<string, unknown>;
  inputs: Array<Partial<FlowMessage>>;
  /** Output of Node-RED 4.1 for these inputs (recorded from Node-RED itself). */
  expected: unknown[];
  /** Where the legacy parser differs. */
  legacy?: unknown[];
}

// prettier-ignore
const cases: CsvCase[] = [
  { name: "rows to objects, one message per row", config: {"temp": "a,b,c"}, inputs: [{"payload": "1,2,3\n4,5,6"}], expected: [{"payload": {"a": 1, "b": 2, "c": 3}, "columns": "a,b,c", "parts": {"id": "ID", "index": 0, "count": 2}}, {"payload": {"a": 4, "b": 5, "c": 6}, "columns": "a,b,c", "parts": {"id": "ID", "index": 1, "count": 2}}] },
  { name: "quotes, escaped quotes and empty cells", config: {"temp": "a,b,c"}, inputs: [{"payload": "1,\"x,y\",3\n\"q\"\"uote\",,"}], expected: [{"payload": {"a": 1, "b": "x,y", "c": 3}, "columns": "a,b,c", "parts": {"id": "ID", "index": 0, "count": 2}}, {"payload": {"a": "q\"uote"}, "columns": "a,b,c", "parts": {"id": "ID", "index": 1, "count": 2}}] },
  { name: "no template: col1, col2 ...", config: {}, inputs: [{"payload": "x,y"}], expected: [{"payload": {"col1": "x", "col2": "y"}, "columns": "col1,col2", "parts": {"id": "ID", "index": 0, "count": 1}}] },
  { name: "a blank column name drops that column", config: {"temp": "a,,c"}, inputs: [{"payload": "1,2,3"}], expected: [{"payload": {"a": 1, "c": 3}, "columns": "a,c", "parts": {"id": "ID", "index": 0, "count": 1}}] },
  { name: "numbers kept as text when strings is false", config: {"temp": "a,b", "strings": false}, inputs: [{"payload": "1,2.5"}], expected: [{"payload": {"a": "1", "b": "2.5"}, "columns": "a,b", "parts": {"id": "ID", "index": 0, "count": 1}}] },
  { name: "empty strings and nulls included on request", config: {"temp": "a,b,c", "include_empty_strings": true, "include_null_values": true}, inputs: [{"payload": "1,\"\","}], expected: [{"payload": {"a": 1, "b": "", "c": null}, "columns": "a,b,c", "parts": {"id": "ID", "index": 0, "count": 1}}] },
  { name: "leading zeros and plus signs", config: {"temp": "a,b"}, inputs: [{"payload": "0123,+5\n-0.5,1e3"}], expected: [{"payload": {"a": "0123", "b": "+5"}, "columns": "a,b", "parts": {"id": "ID", "index": 0, "count": 2}}, {"payload": {"a": -0.5, "b": 1000}, "columns": "a,b", "parts": {"id": "ID", "index": 1, "count": 2}}] },
  { name: "column names from the first row, one array", config: {"hdrin": true, "multi": "mult"}, inputs: [{"payload": "x,\"y z\"\n1,2\n3,4"}], expected: [{"payload": [{"x": 1, "y z": 2}, {"x": 3, "y z": 4}], "columns": "x,y z"}] },
  { name: "skip lines, then the header row", config: {"hdrin": true, "skip": "1"}, inputs: [{"payload": "junk\nx,y\n1,2"}], expected: [{"payload": {"x": 1, "y": 2}, "columns": "x,y", "parts": {"id": "ID", "index": 0, "count": 1}}] },
  { name: "another separator", config: {"sep": ";", "temp": "a,b"}, inputs: [{"payload": "1;2\n\"3;x\";4"}], expected: [{"payload": {"a": 1, "b": 2}, "columns": "a,b", "parts": {"id": "ID", "index": 0, "count": 2}}, {"payload": {"a": "3;x", "b": 4}, "columns": "a,b", "parts": {"id": "ID", "index": 1, "count": 2}}] },
  { name: "a tab separator", config: {"sep": "\\t", "temp": "a,b"}, inputs: [{"payload": "1\t2"}], expected: [{"payload": {"a": 1, "b": 2}, "columns": "a,b", "parts": {"id": "ID", "index": 0, "count": 1}}] },
  { name: "one line per message, collected into one array", config: {"temp": "a,b", "multi": "mult"}, inputs: [{"payload": "1,2", "parts": {"id": "p", "index": 0, "count": 2}}, {"payload": "3,4", "parts": {"id": "p", "index": 1, "count": 2}}], expected: [{"payload": [{"a": 1, "b": 2}, {"a": 3, "b": 4}], "columns": "a,b"}] },
  { name: "one line per message with a header line", config: {"hdrin": true}, inputs: [{"payload": "x,y", "parts": {"id": "p", "index": 0, "count": 3}}, {"payload": "1,2", "parts": {"id": "p", "index": 1, "count": 3}}, {"payload": "3,4", "parts": {"id": "p", "index": 2, "count": 3}}], expected: [{"payload": {"x": 1, "y": 2}, "parts": {"id": "ID", "index": 0, "count": 2}, "columns": "x,y"}, {"payload": {"x": 3, "y": 4}, "parts": {"id": "ID", "index": 1, "count": 2}, "columns": "x,y", "complete": true}] },
  { name: "malformed quoting is repaired", config: {"temp": "a,b"}, inputs: [{"payload": "x\"y,z"}], expected: [{"payload": {"a": "x\"y", "b": "z"}, "columns": "a,b", "parts": {"id": "ID", "index": 0, "count": 1}}], legacy: [{"payload": {"a": "xy,z"}, "columns": "a,b", "parts": {"id": "ID", "index": 0, "count": 1}}] },
  { name: "objects to CSV with a template", config: {"temp": "a,b"}, inputs: [{"payload": {"a": 1, "b": "x,y"}}, {"payload": [{"a": "q\"", "b": 2}, {"a": 3}]}], expected: [{"payload": "1,\"x,y\"\n", "columns": "a,b"}, {"payload": "\"q\"\"\",2\n3,\n", "columns": "a,b"}] },
  { name: "header row once, again after msg.reset", config: {"temp": "a,b", "hdrout": "once"}, inputs: [{"payload": {"a": 1, "b": 2}}, {"payload": {"a": 3, "b": 4}}, {"reset": true}, {"payload": {"a": 5, "b": 6}}], expected: [{"payload": "a,b\n1,2\n", "columns": "a,b"}, {"payload": "3,4\n", "columns": "a,b"}, {"payload": "a,b\n5,6\n", "columns": "a,b"}] },
  { name: "legacy hdrout true means always", config: {"temp": "a,b", "hdrout": true}, inputs: [{"payload": {"a": 1, "b": 2}}], expected: [{"payload": "a,b\n1,2\n", "columns": "a,b"}] },
  { name: "no template: object keys as columns", config: {"hdrout": "all"}, inputs: [{"payload": {"x": 1, "y": "two"}}], expected: [{"payload": "x,y\n1,two\n", "columns": "x,y"}] },
  { name: "columns from msg.columns", config: {"hdrout": "all"}, inputs: [{"payload": {"x": 1, "y": 2}, "columns": "y,x"}], expected: [{"payload": "y,x\n2,1\n", "columns": "y,x"}] },
  { name: "arrays of values", config: {}, inputs: [{"payload": [[1, "a,b", "c\"d"], [2, "line\nbreak"]]}, {"payload": [1, 2, 3]}], expected: [{"payload": "1,\"a,b\",\"c\"\"d\"\n2,\"line\nbreak\"\n", "columns": ""}, {"payload": "1,2,3\n", "columns": ""}] },
  { name: "CRLF line ends", config: {"temp": "a,b", "ret": "\\r\\n"}, inputs: [{"payload": [{"a": 1, "b": 2}, {"a": 3, "b": 4}]}], expected: [{"payload": "1,2\r\n3,4\r\n", "columns": "a,b"}] },
  { name: "a message without payload passes; reset is swallowed", config: {}, inputs: [{"topic": "x"}, {"reset": true}], expected: [{"topic": "x"}] },
];

describe('csv', () => {
  for (const spec of ['rfc', 'legacy']) {
    describe(`${spec} parser`, () => {
      for (const c of cases) {
        test(c.name, async () => {
          const config = { ...base, ...c.config, ...(spec === 'rfc' ? { spec: 'rfc' } : {}) };
          const out = await withNode(csvNode, config, (flow) => drain(flow, structuredClone(c.inputs)));
          assert.deepEqual(out.map(shape), spec === 'legacy' && c.legacy ? c.legacy : c.expected);
        });
      }
    });
  }

  test('a node without `spec` (older Node-RED) uses the legacy parser', async () => {
    const out = await withNode(csvNode, { ...base, temp: 'a,b' }, (flow) => drain(flow, [{ payload: 'x"y,z' }]));
    assert.deepEqual(out.map((m) => m.payload), [{ a: 'xy,z' }]);
  });

  test('rfc: a payload that is neither text nor object is an error', async () => {
    await withNode(csvNode, { ...base, spec: 'rfc' }, async (flow) => {
      await drain(flow, [{ payload: 5 }]);
      await flow.waitUntil(() => flow.errors.length > 0);
      assert.match(flow.errors[0]!.message, /only handles CSV strings or js objects/);
      assert.deepEqual(flow.statuses('n').slice(-1), [{ fill: 'red', shape: 'dot', text: 'This node only handles CSV strings or js objects.' }]);
    });
  });

  test('legacy: a payload that is neither text nor object is a warning', async () => {
    await withNode(csvNode, base, async (flow) => {
      await drain(flow, [{ payload: 5 }]);
      await flow.waitUntil(() => flow.warnings.length > 0);
      assert.equal(flow.errors.length, 0);
    });
  });

  test('rfc: a malformed column template stops the node from starting', async () => {
    await assert.rejects(withNode(csvNode, { ...base, spec: 'rfc', temp: 'a,"b' }, async () => undefined), /temp/);
  });

  test('a message part that is all skipped lines sends nothing', async () => {
    const out = await withNode(csvNode, { ...base, spec: 'rfc', temp: 'a', skip: '1' }, (flow) =>
      drain(flow, [{ payload: 'junk', parts: { id: 'p', index: 0, count: 2 } }, { payload: '7', parts: { id: 'p', index: 1, count: 2 } }]),
    );
    assert.deepEqual(out.map(shape), [{ payload: { a: 7 }, columns: 'a', parts: { id: 'ID', index: 0, count: 1 }, complete: true }]);
  });
});
