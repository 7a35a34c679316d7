import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FlowDocument } from '@loopedge/flows';

/** bench/flows/reference.json: the flow both engines run in the throughput benchmark. */
export const REFERENCE_FLOW_FILE = fileURLToPath(new URL('../flows/reference.json', import.meta.url));
export const REFERENCE_ENTRY_NODE = 'set-reading';
export const REFERENCE_SINK_NODE = 'sink';

export function readReferenceFlow(): FlowDocument {
  const parsed: unknown = JSON.parse(readFileSync(REFERENCE_FLOW_FILE, 'utf8'));
  if (!Array.isArray(parsed)) throw new Error(`${REFERENCE_FLOW_FILE} must hold a Node-RED flow array.`);
  return parsed as FlowDocument;
}
