import type { AnyNodeTypeDefinition } from '@loopedge/runtime';

export const sequenceNodes: AnyNodeTypeDefinition[] = [];
