import { Type, type Static } from '@sinclair/typebox';
import { defineNode, NodeName, NumberLike, readmeBeside, type FlowMessage, type SandboxUnit } from '@loopedge/runtime';

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

function seconds(value: number | string): number {
  const parsed = Number(value);
  return Number.isFinite(parsed) && parsed > 0 ? parsed : 0;
}

/** Node-RED's catch and complete nodes see the message as the code left it: replace the original's contents with it. */
function adopt(msg: FlowMessage, changed: FlowMessage): void {
  for (const key of Object.keys(msg)) if (!(key in changed)) delete msg[key];
  Object.assign(msg, changed);
}

export const functionNode = defineNode({
  type: 'function',
  category: 'function',
  config: FunctionConfig,
  inputs: 1,
  outputs: (config) => Math.max(0, Math.trunc(Number(config.outputs)) || 0),
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
    const unit: SandboxUnit = await node.sandbox.createUnit({
      language: 'javascript',
      func: config.func,
      initialize: config.initialize,
      finalize: config.finalize,
      outputs: Math.max(0, Math.trunc(Number(config.outputs)) || 0),
      timeoutMs: seconds(config.timeout) * 1000,
    });
    return {
      async input(msg) {
        const outcome = await unit.run(msg);
        if (outcome.msg) adopt(msg, outcome.msg);
        if (outcome.ok) return;
        // As Node-RED: an Error (not a thrown string) is also kept on the message, where a catch node finds it as msg._error.
        if (typeof outcome.error !== 'string' && !outcome.timedOut) msg.error = outcome.error;
        throw outcome.error;
      },
      close: () => unit.close(),
    };
  },
});
