import { Type } from '@sinclair/typebox';
import { defineNode, readmeBeside, NodeName } from '@loopedge/runtime';
import { passThrough } from '../../shared/pass-through.js';

/** Complete: fires when one of the chosen nodes has finished handling a message. */
export const completeNode = defineNode({
  type: 'complete',
  category: 'common',
  config: Type.Object({
    name: NodeName,
    scope: Type.Array(Type.String(), { default: [], description: 'Ids of the nodes to watch' }),
    uncaught: Type.Boolean({ default: false }),
  }),
  inputs: 0,
  outputs: 1,
  editor: { label: 'complete', icon: 'alert.svg', color: '#c0edc0', widgets: { scope: 'node-list' } },
  helpFile: readmeBeside(import.meta.url),
  create: passThrough,
});
