import { testFixtureNodes, type AnyNodeTypeDefinition } from '@loopedge/runtime';
import { structuralNodes } from '../registry/structural-nodes.js';

export { startTestFlow } from '@loopedge/runtime';

/** The structural nodes plus the runtime's tiny fixture nodes (test-pass, test-throw, test-status ...). */
export const fixtureNodesForTests: AnyNodeTypeDefinition[] = [...structuralNodes, ...testFixtureNodes];
