import { Type, type Static } from '@sinclair/typebox';
import { defineNode, NodeName, NumberLike, readmeBeside } from '@loopedge/runtime';
import { createUserCodeUnit, outputCount, runUserCode } from '../../shared/user-code-node.js';

const PythonFunctionConfig = Type.Object({
  name: NodeName,
  func: Type.String({ default: '\nreturn msg', description: 'The function body in Python: gets msg (a dict), returns a dict, a list per output, or None' }),
  outputs: NumberLike(1, 'Number of outputs'),
  timeout: NumberLike(0, 'Time limit per message in seconds, covering async work; 0 = the runtime default'),
  initialize: Type.String({ default: '', description: 'On Start: runs once when the node starts; names it assigns are globals of the function' }),
  finalize: Type.String({ default: '', description: 'On Stop: runs when the node stops' }),
});
type PythonFunctionConfig = Static<typeof PythonFunctionConfig>;

/**
 * Python user code, one Pyodide interpreter per node in the supervised sandbox
 * process (see README.md for the contract and the isolation).
 */
export const pythonFunctionNode = defineNode({
  type: 'python-function',
  category: 'function',
  config: PythonFunctionConfig,
  inputs: 1,
  outputs: (config) => outputCount(config.outputs),
  editor: {
    label: 'python function',
    paletteLabel: 'python function',
    icon: 'function.svg',
    color: '#c6dbef',
    widgets: { func: 'code-python', initialize: 'code-python', finalize: 'code-python' },
  },
  helpFile: readmeBeside(import.meta.url),
  async create(node, config: PythonFunctionConfig) {
    const unit = await createUserCodeUnit(node, 'python', config);
    return {
      input: (msg, _send, done) => runUserCode(unit, msg, false, done),
      close: () => unit.close(),
    };
  },
});
