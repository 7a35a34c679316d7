import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createRuntime } from '@loopedge/runtime';
import { coreNodeTypes } from '@loopedge/nodes';
import { diffFlows } from '@loopedge/flows';
import { DEFAULT_SCALE_SHAPE, countNodes, generateScaleFlow, withOneNodeEdited } from './scale-flow.js';

describe('scale flow generator', () => {
  const doc = generateScaleFlow(DEFAULT_SCALE_SHAPE);

  test('makes 10,000 nodes on 100 tabs', () => {
    assert.equal(countNodes(doc), 10_000);
    assert.equal(doc.filter((item) => item.type === 'tab').length, 100);
  });

  test('is a flow LoopEdge accepts with its core node types', () => {
    const problems = createRuntime({ nodeTypes: coreNodeTypes, env: {} }).validate(doc);
    assert.deepEqual(problems, []);
  });

  test('a one-node edit changes exactly one node, and successive edits differ', () => {
    const first = withOneNodeEdited(doc, DEFAULT_SCALE_SHAPE, 1);
    const diff = diffFlows(doc, first.doc);
    assert.deepEqual(diff.changed, [first.editedNodeId]);
    assert.deepEqual([diff.added, diff.removed, diff.rewired], [[], [], []]);
    const second = withOneNodeEdited(doc, DEFAULT_SCALE_SHAPE, 2);
    assert.deepEqual(diffFlows(first.doc, second.doc).changed, [second.editedNodeId]);
  });
});
