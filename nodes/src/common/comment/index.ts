import { Type } from '@sinclair/typebox';
import { defineNode, readmeBeside, NodeName } from '@loopedge/runtime';

/** Comment: documentation on the canvas; does nothing at run time. */
export const commentNode = defineNode({
  type: 'comment',
  category: 'common',
  config: Type.Object({
    name: NodeName,
    info: Type.String({ default: '', description: 'Markdown shown in the info panel' }),
  }),
  inputs: 0,
  outputs: 0,
  editor: { label: 'comment', icon: 'comment.svg', color: '#ffffff', widgets: { info: 'markdown' } },
  helpFile: readmeBeside(import.meta.url),
  create() {
    return {};
  },
});
