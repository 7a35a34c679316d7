import type { AnyNodeTypeDefinition } from '@loopedge/runtime';
import { mtconnectInNode } from '../southbound/mtconnect-in/index.js';
import { modbusClientNode } from '../southbound/modbus-client/index.js';
import { modbusReadNode } from '../southbound/modbus-read/index.js';
import { modbusWriteNode } from '../southbound/modbus-write/index.js';
import { httpRequestNode } from '../network/http-request/index.js';
import { httpInNode } from '../network/http-in/index.js';
import { httpResponseNode } from '../network/http-response/index.js';

/** http in, http response, http request, mtconnect-in, modbus-client, modbus-read, modbus-write — in palette order. */
export const fieldAndHttpNodes: AnyNodeTypeDefinition[] = [httpInNode, httpResponseNode, httpRequestNode, mtconnectInNode, modbusClientNode, modbusReadNode, modbusWriteNode];
