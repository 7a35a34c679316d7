import { Type } from '@sinclair/typebox';
import { defineNode, readmeBeside } from '@loopedge/runtime';
import { passThrough } from '../../shared/pass-through.js';

/** Junction: a wiring point (Node-RED 3+); passes every message straight on. */
export const junctionNode = defineNode({
  type: 'junction',
  category: 'common',
  config: Type.Object({}),
  inputs: 1,
  outputs: 1,
  editor: { label: '', icon: 'junction.svg', color: '#dddddd' },
  helpFile: readmeBeside(import.meta.url),
  create: passThrough,
});
