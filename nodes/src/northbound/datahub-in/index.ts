import { Type } from '@sinclair/typebox';
import { defineNode, NodeName, NumberLike, readmeBeside } from '@loopedge/runtime';
import { datahubConnection } from '../mqtt-shared/datahub-connection.js';
import { connectionStatus } from '../mqtt-shared/mqtt-connection.js';
import { parseQos } from '../mqtt-shared/mqtt-properties.js';
import { MQTT_DATATYPES } from '../mqtt-shared/payload-format.js';
import { deliverReceived } from '../mqtt-shared/received-message.js';
import { validTopicFilter } from '../mqtt-shared/topic-match.js';

const DatahubInConfig = Type.Object({
  name: NodeName,
  topic: Type.String({ default: '', description: 'Topic filter on the DataHub (+ and # wildcards allowed)' }),
  qos: NumberLike('2', 'Highest QoS to receive: 0, 1 or 2'),
  datatype: Type.String({ default: 'auto-detect', description: 'Output: auto-detect, auto, buffer, utf8, json, base64 (as mqtt in)' }),
});

export const datahubInNode = defineNode({
  type: 'datahub-in',
  category: 'northbound',
  config: DatahubInConfig,
  inputs: 0,
  outputs: 1,
  editor: { label: 'datahub in', icon: 'bridge.svg', color: '#c0deed' },
  helpFile: readmeBeside(import.meta.url),
  create(node, config) {
    const where = `datahub-in ${node.id}`;
    if (!validTopicFilter(config.topic)) throw new Error(`${where}: the topic "${config.topic}" is not a valid MQTT topic filter; set one such as "line1/#"`);
    if (!MQTT_DATATYPES.includes(config.datatype as never)) throw new Error(`${where}: datatype "${config.datatype}" is unknown; use one of ${MQTT_DATATYPES.join(', ')}`);
    const hub = datahubConnection(node);
    hub.use((state, detail) => node.status(connectionStatus(state, detail)));
    hub.subscribe(config.topic, { qos: parseQos(config.qos) }, (topic, payload, packet) => deliverReceived(node, config.datatype, topic, payload, packet, false));
    return { close: () => hub.close() };
  },
});
