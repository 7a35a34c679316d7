import type { AnyNodeTypeDefinition } from '@loopedge/runtime';
import { structuralNodes } from './structural-nodes.js';
import { messageNodes } from './message-nodes.js';
import { sequenceNodes } from './sequence-nodes.js';
import { fieldAndHttpNodes } from './field-and-http-nodes.js';
import { opcuaNodes } from './opcua-nodes.js';
import { mqttNodes } from './mqtt-nodes.js';
import { notifierNodes } from './notifier-nodes.js';
import { alertingNodes } from './alerting-nodes.js';

/** Every built-in node type, in palette order. */
export const coreNodeTypes: readonly AnyNodeTypeDefinition[] = [...messageNodes, ...structuralNodes, ...sequenceNodes, ...fieldAndHttpNodes, ...opcuaNodes, ...mqttNodes, ...notifierNodes, ...alertingNodes];
