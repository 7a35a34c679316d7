import type { FlowDocument, FlowItem } from '@loopedge/flows';
import { readReferenceFlow, REFERENCE_ENTRY_NODE } from './reference-flow.js';

/** The function node the function benchmark adds to the reference flow. */
export const FUNCTION_NODE_ID = 'double-v';
export const FUNCTION_BODY = 'msg.payload.v = msg.payload.v * 2; return msg;';

/**
 * The reference flow with one JavaScript function node after the first change
 * node: generator → change → function → switch → range → change → sink. The
 * same flow JSON runs on both engines.
 */
export function referenceFlowWithFunction(): FlowDocument {
  const flow = readReferenceFlow();
  const entry = flow.find((item) => item.id === REFERENCE_ENTRY_NODE) as FlowItem & { wires: string[][] };
  if (!entry) throw new Error(`bench/flows/reference.json has no node '${REFERENCE_ENTRY_NODE}'`);
  const functionNode: FlowItem = {
    id: FUNCTION_NODE_ID,
    type: 'function',
    z: entry.z,
    name: 'payload.v * 2',
    func: FUNCTION_BODY,
    outputs: 1,
    timeout: 0,
    noerr: 0,
    initialize: '',
    finalize: '',
    libs: [],
    x: 260,
    y: 160,
    wires: entry.wires,
  };
  entry.wires = [[FUNCTION_NODE_ID]];
  return [...flow, functionNode];
}
