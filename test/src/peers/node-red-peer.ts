import type { FlowDocument } from '@loopedge/flows';
import type { FlowPeer, FlowPeerOptions, PeerMessage, PeerProblem } from './flow-peer.js';
import { MessageRecorder } from './message-recorder.js';
import { NodeRedRuntime, type NodeRedLogLine } from './node-red-runtime.js';

const DEFAULT_WAIT_MS = 2000;
const LOG_LEVEL_ERROR = 20;
const LOG_LEVEL_WARN = 30;

// Node-RED's runtime is a singleton per process (see NodeRedRuntime), so these
// two are module state by necessity: the one runtime, and the queue of flows
// waiting for it.
let runtime: Promise<NodeRedRuntime> | undefined;
let turn: Promise<void> = Promise.resolve();
let shutDown = false;

/**
 * Runs a flow document in Node-RED 4.1 itself, in this process: no HTTP
 * server, no editor, silent logging, a temporary userDir.
 *
 * Only one Node-RED flow runs at a time per process: a second call waits
 * until the first flow's `stop()`. The runtime starts on the first call
 * (about a second) and stays up for the next ones; `shutdownNodeRed()` ends it.
 */
export async function startNodeRedFlow(flow: FlowDocument, options: FlowPeerOptions = {}): Promise<FlowPeer> {
  let releaseTurn!: () => void;
  const previous = turn;
  turn = new Promise<void>((resolve) => (releaseTurn = resolve));
  await previous;
  try {
    // Node-RED's modules keep their state after RED.stop(); a second init in the same process is not reliable.
    if (shutDown) throw new Error('Node-RED was shut down in this process and cannot start again: call shutdownNodeRed() only once, at the end');
    runtime ??= NodeRedRuntime.start();
    const red = await runtime;
    return await runFlow(red, flow, options, releaseTurn);
  } catch (error) {
    releaseTurn();
    throw error;
  }
}

/** The Node-RED this process runs, e.g. `node-red 4.1.8`. */
export function nodeRedVersion(): string {
  return `node-red ${NodeRedRuntime.version()}`;
}

/** Stops the shared Node-RED runtime (after the last flow of the process has stopped). */
export async function shutdownNodeRed(): Promise<void> {
  const started = runtime;
  runtime = undefined;
  shutDown = true;
  if (!started) return;
  await turn;
  await (await started).stop();
}

async function runFlow(red: NodeRedRuntime, flow: FlowDocument, options: FlowPeerOptions, releaseTurn: () => void): Promise<FlowPeer> {
  const record = options.record === undefined || options.record === 'all' ? 'all' : new Set(options.record);
  const recorder = new MessageRecorder((msg) => red.red.util.cloneMessage(msg), record);
  const problems: PeerProblem[] = [];
  const restoreEnv = applyEnv(options.env ?? {});

  red.observer = {
    onReceive: (nodeId, msg) => {
      if (!recorder.isIgnored(nodeId)) recorder.deliver(nodeId, msg);
    },
    onLog: (line) => {
      const problem = toProblem(line);
      if (problem) problems.push(problem);
    },
  };
  try {
    await red.deploy(flow);
  } catch (error) {
    await undeploy(red, flow);
    restoreEnv();
    throw error;
  }

  let stopped = false;
  return {
    engine: 'node-red',
    problems,
    receive(nodeId, msg) {
      if (stopped) throw new Error(`Node-RED flow already stopped: cannot deliver a message to node ${nodeId}`);
      const node = red.red.nodes.getNode(nodeId);
      if (!node) throw new Error(`Node-RED flow has no running node ${nodeId}: check the id, and that the node is not disabled`);
      node.receive(msg);
    },
    onInput: (nodeId, listener) => recorder.onInput(nodeId, listener),
    messagesAt: (nodeId) => recorder.messagesAt(nodeId),
    waitForMessages: (nodeId, count, timeoutMs = DEFAULT_WAIT_MS) => recorder.waitForMessages(nodeId, count, timeoutMs, 'Node-RED'),
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await undeploy(red, flow);
      } finally {
        restoreEnv();
        releaseTurn();
      }
    },
  };
}

async function undeploy(red: NodeRedRuntime, flow: FlowDocument): Promise<void> {
  red.clearGlobalContext(flow);
  await red.deploy([]);
  red.observer = undefined;
}

/** Node-RED reads `${FOO}` and `env.get` from process.env, so the flow's env lives there while it runs. */
function applyEnv(env: Record<string, string>): () => void {
  const saved = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(env)) {
    saved.set(name, process.env[name]);
    process.env[name] = value;
  }
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

function toProblem(line: NodeRedLogLine): PeerProblem | undefined {
  if (line.level !== LOG_LEVEL_ERROR && line.level !== LOG_LEVEL_WARN) return undefined;
  // Lines without a node id are the runtime's own (e.g. "Using unencrypted credentials"), not the flow's.
  if (line.id === undefined) return undefined;
  const text = line.msg instanceof Error ? line.msg.message : typeof line.msg === 'string' ? line.msg : JSON.stringify(line.msg);
  return { level: line.level === LOG_LEVEL_ERROR ? 'error' : 'warn', nodeId: line.id, message: text };
}
