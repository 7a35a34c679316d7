import type { AnyNodeTypeDefinition } from '@loopedge/runtime';

export const messageNodes: AnyNodeTypeDefinition[] = [];
