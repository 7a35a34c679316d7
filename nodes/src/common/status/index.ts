import { Type } from '@sinclair/typebox';
import { defineNode, readmeBeside, NodeName } from '@loopedge/runtime';
import { passThrough } from '../../shared/pass-through.js';

/** Status: receives status updates of nodes in its flow as messages. */
export const statusNode = defineNode({
  type: 'status',
  category: 'common',
  config: Type.Object({
    name: NodeName,
    scope: Type.Union([Type.Null(), Type.Literal('group'), Type.Array(Type.String())], { default: null }),
  }),
  inputs: 0,
  outputs: 1,
  editor: { label: 'status', icon: 'status.svg', color: '#94c1d0', widgets: { scope: 'node-list' } },
  helpFile: readmeBeside(import.meta.url),
  create: passThrough,
});
