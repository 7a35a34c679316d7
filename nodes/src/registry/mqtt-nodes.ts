import type { AnyNodeTypeDefinition } from '@loopedge/runtime';
import { mqttBrokerNode } from '../northbound/mqtt-broker/index.js';
import { mqttInNode } from '../northbound/mqtt-in/index.js';
import { mqttOutNode } from '../northbound/mqtt-out/index.js';
import { datahubInNode } from '../northbound/datahub-in/index.js';
import { datahubOutNode } from '../northbound/datahub-out/index.js';
import { tlsConfigNode } from '../network/tls-config/index.js';

/**
 * mqtt in, mqtt out and their mqtt-broker config node (Node-RED's names and properties), then the DataHub pair,
 * then tls-config (used by mqtt-broker and by http request: listed once, here).
 */
export const mqttNodes: AnyNodeTypeDefinition[] = [mqttInNode, mqttOutNode, mqttBrokerNode, datahubInNode, datahubOutNode, tlsConfigNode];
