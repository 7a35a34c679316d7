import type { AnyNodeTypeDefinition } from '@loopedge/runtime';
import { rulesNode } from '../alerting/rules/index.js';
import { alertNode } from '../alerting/alert/index.js';

/** Rules (json-rules-engine) and alerts; the notifier config nodes are listed by their own registry file. */
export const alertingNodes: AnyNodeTypeDefinition[] = [rulesNode, alertNode];
