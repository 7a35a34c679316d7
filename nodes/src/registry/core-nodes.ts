import type { AnyNodeTypeDefinition } from '@loopedge/runtime';
import { structuralNodes } from './structural-nodes.js';
import { messageNodes } from './message-nodes.js';
import { sequenceNodes } from './sequence-nodes.js';

/** Every built-in node type, in palette order. */
export const coreNodeTypes: readonly AnyNodeTypeDefinition[] = [...messageNodes, ...structuralNodes, ...sequenceNodes];
