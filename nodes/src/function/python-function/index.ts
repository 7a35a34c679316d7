import { Type, type Static } from '@sinclair/typebox';
import { defineNode, NodeName, NumberLike, readmeBeside, type FlowMessage, type SandboxUnit } from '@loopedge/runtime';

const PythonFunctionConfig = Type.Object({
  name: NodeName,
  func: Type.String({ default: '\nreturn msg', description: 'The function body in Python: gets msg (a dict), returns a dict, a list per output, or None' }),
  outputs: NumberLike(1, 'Number of outputs'),
  timeout: NumberLike(0, 'Time limit per message in seconds, covering async work; 0 = the runtime default'),
  initialize: Type.String({ default: '', description: 'On Start: runs once when the node starts; names it assigns are globals of the function' }),
  finalize: Type.String({ default: '', description: 'On Stop: runs when the node stops' }),
});
type PythonFunctionConfig = Static<typeof PythonFunctionConfig>;

function seconds(value: number | string): number {
  const parsed = Number(value);
  return Number.isFinite(parsed) && parsed > 0 ? parsed : 0;
}

function outputCount(value: number | string): number {
  return Math.max(0, Math.trunc(Number(value)) || 0);
}

/** Catch and complete nodes see the message as the code left it: replace the original's contents with it. */
function adopt(msg: FlowMessage, changed: FlowMessage): void {
  for (const key of Object.keys(msg)) if (!(key in changed)) delete msg[key];
  Object.assign(msg, changed);
}

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
    const unit: SandboxUnit = await node.sandbox.createUnit({
      language: 'python',
      func: config.func,
      initialize: config.initialize,
      finalize: config.finalize,
      outputs: outputCount(config.outputs),
      timeoutMs: seconds(config.timeout) * 1000,
    });
    return {
      async input(msg) {
        const outcome = await unit.run(msg);
        if (outcome.msg) adopt(msg, outcome.msg);
        if (outcome.ok) return;
        throw outcome.error;
      },
      close: () => unit.close(),
    };
  },
});
