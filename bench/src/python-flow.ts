import type { FlowDocument, FlowItem } from '@loopedge/flows';
import { readReferenceFlow, REFERENCE_ENTRY_NODE } from './reference-flow.js';

/** The python-function node the Python benchmark adds to the reference flow. */
export const PYTHON_NODE_ID = 'double-v-py';
export const PYTHON_BODY = "msg['payload']['v'] = msg['payload']['v'] * 2\nreturn msg";

function pythonNode(id: string, z: string, wires: string[][]): FlowItem {
  return { id, type: 'python-function', z, name: 'payload.v * 2', func: PYTHON_BODY, outputs: 1, timeout: 0, initialize: '', finalize: '', x: 260, y: 160, wires };
}

/**
 * The reference flow with one python-function node after the first change
 * node (generator → change → python-function → switch → range → change → sink),
 * as the JavaScript function benchmark does with a function node.
 */
export function referenceFlowWithPython(): FlowDocument {
  const flow = readReferenceFlow();
  const entry = flow.find((item) => item.id === REFERENCE_ENTRY_NODE) as FlowItem & { wires: string[][]; z: string };
  if (!entry) throw new Error(`bench/flows/reference.json has no node '${REFERENCE_ENTRY_NODE}'`);
  const node = pythonNode(PYTHON_NODE_ID, entry.z, entry.wires);
  entry.wires = [[PYTHON_NODE_ID]];
  return [...flow, node];
}

/** The same flow plus a second, unwired python-function node: what adding one more Python node costs. */
export function withSecondPythonNode(flow: FlowDocument): FlowDocument {
  const first = flow.find((item) => item.id === PYTHON_NODE_ID) as FlowItem & { z: string };
  return [...flow, pythonNode(`${PYTHON_NODE_ID}-2`, first.z, [[]])];
}
