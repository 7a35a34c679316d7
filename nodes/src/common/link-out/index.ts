import { Type } from '@sinclair/typebox';
import { defineNode, readmeBeside, NodeName } from '@loopedge/runtime';

/**
 * Link out: in "link" mode its links become ordinary wires at deploy (as in
 * Node-RED), so it just sends; in "return" mode it hands the message back to
 * the link call node that started the call.
 */
export const linkOutNode = defineNode({
  type: 'link out',
  category: 'common',
  config: Type.Object({
    name: NodeName,
    mode: Type.Union([Type.Literal('link'), Type.Literal('return')], { default: 'link' }),
    links: Type.Array(Type.String(), { default: [] }),
  }),
  inputs: 1,
  outputs: 0,
  editor: { label: 'link out', icon: 'link-out.svg', color: '#dddddd', align: 'right' },
  helpFile: readmeBeside(import.meta.url),
  create(node, config) {
    if (config.mode === 'return') {
      return {
        input(msg) {
          const stack = msg._linkSource;
          const call = Array.isArray(stack) && stack.length > 0 ? (stack.pop() as { node?: unknown; id?: unknown }) : undefined;
          if (!call || typeof call.node !== 'string' || typeof call.id !== 'string' || !node.links.returnTo(call.node, call.id, msg)) {
            node.warn('link out (return mode): the message did not come from a link call node, or that node has gone');
          }
        },
      };
    }
    return {
      input(msg, send) {
        send(msg);
      },
    };
  },
});
