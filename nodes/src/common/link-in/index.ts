import { Type } from '@sinclair/typebox';
import { defineNode, readmeBeside, NodeName } from '@loopedge/runtime';
import { passThrough } from '../../shared/pass-through.js';

/** Link in: the receiving end of virtual wires from link out and link call nodes, on any tab. */
export const linkInNode = defineNode({
  type: 'link in',
  category: 'common',
  config: Type.Object({
    name: NodeName,
    links: Type.Array(Type.String(), { default: [], description: 'Ids of the link out nodes connected to this node' }),
  }),
  inputs: 0,
  outputs: 1,
  editor: { label: 'link in', icon: 'link-out.svg', color: '#dddddd' },
  helpFile: readmeBeside(import.meta.url),
  create: passThrough,
});
