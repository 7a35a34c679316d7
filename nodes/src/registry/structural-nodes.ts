import type { AnyNodeTypeDefinition } from '@loopedge/runtime';

export const structuralNodes: AnyNodeTypeDefinition[] = [];
