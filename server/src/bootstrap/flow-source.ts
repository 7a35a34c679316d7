import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { demoFlow } from '../demo/demo-flow.js';
import { StartupError } from './startup-error.js';

export const FLOWS_FILE = 'flows.json';

export interface FlowSource {
  path: string;
  /** `argument`: --flows; `data-dir`: DATA/flows.json; `demo`: first start, demo flow just written. */
  origin: 'argument' | 'data-dir' | 'demo';
}

/**
 * Which flow file to run: --flows, else DATA/flows.json, else (first start)
 * the demo flow, written to DATA/flows.json so the person can edit it.
 */
export function resolveFlowSource(flowsArg: string | undefined, dataDir: string): FlowSource {
  if (flowsArg !== undefined) {
    const path = resolve(flowsArg);
    if (!existsSync(path)) {
      throw new StartupError('flows-not-found', `Flow file ${path} (from --flows) does not exist: check the path, or omit --flows to use ${join(dataDir, FLOWS_FILE)}`);
    }
    return { path, origin: 'argument' };
  }
  const path = join(dataDir, FLOWS_FILE);
  if (existsSync(path)) return { path, origin: 'data-dir' };
  try {
    // `wx`: never overwrite a flows.json another process wrote a moment ago.
    writeFileSync(path, `${JSON.stringify(demoFlow, null, 2)}\n`, { encoding: 'utf8', mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { path, origin: 'data-dir' };
    throw new StartupError('data-dir-unusable', `Cannot write the demo flow to ${path}: ${(error as Error).message}`, [], { cause: error });
  }
  return { path, origin: 'demo' };
}
