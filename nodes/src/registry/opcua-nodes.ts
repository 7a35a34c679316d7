import type { AnyNodeTypeDefinition } from '@loopedge/runtime';
import { opcuaEndpointNode } from '../southbound/opcua-endpoint/index.js';
import { opcuaInNode } from '../southbound/opcua-in/index.js';
import { opcuaReadNode } from '../southbound/opcua-read/index.js';
import { opcuaWriteNode } from '../southbound/opcua-write/index.js';

/** OPC UA: the endpoint (connection) config node and the nodes that use it. */
export const opcuaNodes: readonly AnyNodeTypeDefinition[] = [opcuaEndpointNode, opcuaInNode, opcuaReadNode, opcuaWriteNode];
