import { Type } from '@sinclair/typebox';
import { defineNode, NodeName, NumberLike, readmeBeside } from '@loopedge/runtime';
import type { MqttBrokerService } from '../mqtt-broker/index.js';
import { connectionStatus } from '../mqtt-shared/mqtt-connection.js';
import { MQTT_DATATYPES } from '../mqtt-shared/payload-format.js';
import { parseFlag, parseQos } from '../mqtt-shared/mqtt-properties.js';
import { deliverReceived } from '../mqtt-shared/received-message.js';
import { validTopicFilter } from '../mqtt-shared/topic-match.js';
import { DynamicSubscriptions } from './dynamic-subscriptions.js';

const MqttInConfig = Type.Object({
  name: NodeName,
  topic: Type.String({ default: '', description: 'Topic filter to subscribe to (+ and # wildcards allowed)' }),
  qos: NumberLike('2', 'Highest QoS to receive: 0, 1 or 2'),
  datatype: Type.String({ default: 'auto-detect', description: 'Output: auto-detect (parsed JSON, string or buffer), auto (string or buffer), buffer, utf8, json, base64' }),
  broker: Type.String({ default: '', description: 'The mqtt-broker config node' }),
  nl: Type.Union([Type.Boolean(), Type.String()], { default: false, description: 'MQTT 5: do not receive own publications' }),
  rap: Type.Union([Type.Boolean(), Type.String()], { default: true, description: 'MQTT 5: keep the retain flag as published' }),
  rh: NumberLike(0, 'MQTT 5: retained messages on subscribe: 0 send, 1 only for new subscriptions, 2 never'),
  inputs: NumberLike(0, '1: dynamic subscriptions (msg.action subscribe, unsubscribe, getSubscriptions, connect, disconnect), as Node-RED\'s topicType "dynamic"; 0: the fixed topic'),
});

export const mqttInNode = defineNode({
  type: 'mqtt in',
  category: 'network',
  config: MqttInConfig,
  inputs: 0,
  outputs: 1,
  editor: { label: 'mqtt in', icon: 'bridge.svg', color: '#d8bfd8', widgets: { broker: 'config-node:mqtt-broker' } },
  helpFile: readmeBeside(import.meta.url),
  create(node, config) {
    const where = `mqtt in ${node.id}`;
    if (!MQTT_DATATYPES.includes(config.datatype as never)) throw new Error(`${where}: datatype "${config.datatype}" is unknown; use one of ${MQTT_DATATYPES.join(', ')}`);
    const dynamic = Number(config.inputs) === 1;
    if (!dynamic && !validTopicFilter(config.topic)) throw new Error(`${where}: the topic "${config.topic}" is not a valid MQTT topic filter; set one such as "site/+/temperature" or "site/#"`);
    const broker = node.getConfigNode<MqttBrokerService>(config.broker);
    if (!broker) throw new Error(`${where}: the broker config node "${config.broker}" is missing; add an mqtt-broker node and select it in property "broker"`);
    const stopStatus = broker.use((state, detail) => node.status(connectionStatus(state, detail)));
    if (dynamic) {
      const subscriptions = new DynamicSubscriptions(node, broker, config.datatype);
      return {
        input: (msg, send) => subscriptions.handle(msg, send),
        close() {
          subscriptions.close();
          stopStatus();
        },
      };
    }
    const rh = Number(config.rh);
    const unsubscribe = broker.subscribe(
      config.topic,
      { qos: parseQos(config.qos), nl: parseFlag(config.nl), rap: parseFlag(config.rap), rh: rh === 1 || rh === 2 ? rh : 0 },
      (topic, payload, packet) => deliverReceived(node, config.datatype, topic, payload, packet, broker.v5),
    );
    return {
      close() {
        unsubscribe();
        stopStatus();
      },
    };
  },
});
