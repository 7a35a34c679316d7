import type { EngineAdapter, EngineName } from './engine-under-test.js';

/**
 * Imports only the named engine, so a child process measuring one engine
 * never loads the other's modules.
 */
export async function loadEngine(engine: EngineName): Promise<EngineAdapter> {
  if (engine === 'loopedge') return (await import('./loopedge.js')).loopEdgeEngine;
  return (await import('./node-red.js')).nodeRedEngine;
}
