import type { AnyNodeTypeDefinition } from '@loopedge/runtime';
import { catchNode } from '../common/catch/index.js';
import { statusNode } from '../common/status/index.js';
import { completeNode } from '../common/complete/index.js';
import { linkInNode } from '../common/link-in/index.js';
import { linkOutNode } from '../common/link-out/index.js';
import { linkCallNode } from '../common/link-call/index.js';
import { commentNode } from '../common/comment/index.js';
import { junctionNode } from '../common/junction/index.js';

/** Nodes the engine routes to specially: errors, statuses, completion, virtual wires. */
export const structuralNodes: AnyNodeTypeDefinition[] = [catchNode, statusNode, completeNode, linkInNode, linkOutNode, linkCallNode, commentNode, junctionNode];
