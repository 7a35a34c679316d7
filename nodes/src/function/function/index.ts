import { Type, type Static } from '@sinclair/typebox';
import { defineNode, NodeName, NumberLike, readmeBeside } from '@loopedge/runtime';
import { createUserCodeUnit, outputCount, runUserCode } from '../../shared/user-code-node.js';

const FunctionConfig = Type.Object({
  name: NodeName,
  func: Type.String({ default: '\nreturn msg;', description: 'The function body: gets msg, returns a message, an array per output, or null' }),
  outputs: NumberLike(1, 'Number of outputs'),
  timeout: NumberLike(0, 'Time limit per message in seconds, covering async work; 0 = the runtime default (30 s)'),
  initialize: Type.String({ default: '', description: 'On Start: runs once when the node starts (may be async)' }),
  finalize: Type.String({ default: '', description: 'On Stop: runs when the node stops' }),
  libs: Type.Array(Type.Unknown(), { default: [], description: 'External modules (Node-RED setup tab): not available in the sandbox; listed ones are reported' }),
  noerr: NumberLike(0, "The editor's count of errors in the code (informational)"),
});
type FunctionConfig = Static<typeof FunctionConfig>;

export const functionNode = defineNode({
  type: 'function',
  category: 'function',
  config: FunctionConfig,
  inputs: 1,
  outputs: (config) => outputCount(config.outputs),
  editor: {
    label: 'function',
    icon: 'function.svg',
    color: '#fdd0a2',
    widgets: { func: 'code-js', initialize: 'code-js', finalize: 'code-js' },
  },
  helpFile: readmeBeside(import.meta.url),
  keepsEmptyName: true,
  async create(node, config: FunctionConfig) {
    const libs = config.libs
      .map((lib) => (lib && typeof lib === 'object' ? String((lib as { module?: unknown }).module ?? (lib as { var?: unknown }).var ?? '') : ''))
      .filter(Boolean);
    if (libs.length > 0) {
      node.warn(`External modules are not available to function nodes in the sandbox; ignored: ${libs.join(', ')}. Use the built-in nodes or a custom node type instead.`);
    }
    const unit = await createUserCodeUnit(node, 'javascript', config);
    return {
      input: (msg, _send, done) => runUserCode(unit, msg, true, done),
      close: () => unit.close(),
    };
  },
});
