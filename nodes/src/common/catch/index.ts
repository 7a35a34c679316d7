import { Type } from '@sinclair/typebox';
import { defineNode, readmeBeside, NodeName } from '@loopedge/runtime';
import { passThrough } from '../../shared/pass-through.js';

/**
 * Catch: receives errors reported by nodes in its flow. The engine decides which
 * catch nodes see an error (scope, "uncaught only", groups); the node passes the
 * error message on.
 */
export const catchNode = defineNode({
  type: 'catch',
  category: 'common',
  config: Type.Object({
    name: NodeName,
    scope: Type.Union([Type.Null(), Type.Literal('group'), Type.Array(Type.String())], { default: null, description: 'null: every node in the flow; a list of node ids; or "group"' }),
    uncaught: Type.Boolean({ default: false, description: 'Only errors that no other catch node handled' }),
  }),
  inputs: 0,
  outputs: 1,
  editor: { label: 'catch', icon: 'alert.svg', color: '#e49191', widgets: { scope: 'node-list' } },
  helpFile: readmeBeside(import.meta.url),
  create: passThrough,
});
