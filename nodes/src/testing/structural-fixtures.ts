import { Type } from '@sinclair/typebox';
import { defineNode, type AnyNodeTypeDefinition } from '@loopedge/runtime';
import { structuralNodes } from '../registry/structural-nodes.js';

export { startTestFlow } from '@loopedge/runtime';

/** Minimal helpers for testing the structural nodes without depending on other node folders. */
const thrower = defineNode({
  type: 'thrower',
  category: 'function',
  config: Type.Object({}),
  inputs: 1,
  outputs: 1,
  editor: { icon: 'arrow.svg', color: '#ddd' },
  create: () => ({
    input() {
      throw new Error('thrown on purpose');
    },
  }),
});

const passer = defineNode({
  type: 'passer',
  category: 'function',
  config: Type.Object({}),
  inputs: 1,
  outputs: 1,
  editor: { icon: 'arrow.svg', color: '#ddd' },
  create: () => ({
    input(msg, send) {
      send(msg);
    },
  }),
});

const statusSetter = defineNode({
  type: 'status-setter',
  category: 'function',
  config: Type.Object({}),
  inputs: 1,
  outputs: 0,
  editor: { icon: 'arrow.svg', color: '#ddd' },
  create: (node) => ({
    input(msg) {
      node.status({ fill: 'green', shape: 'dot', text: String(msg.payload) });
    },
  }),
});

export const fixtureNodesForTests: AnyNodeTypeDefinition[] = [...structuralNodes, thrower, passer, statusSetter];
