import { Type } from '@sinclair/typebox';
import { defineNode, NodeName, NumberLike, readmeBeside } from '@loopedge/runtime';
import type { MqttBrokerService } from '../mqtt-broker/index.js';
import { connectionStatus } from '../mqtt-shared/mqtt-connection.js';
import { outgoingRequest } from '../mqtt-shared/outgoing-message.js';
import { StoreForward } from '../mqtt-shared/store-forward.js';

const MqttOutConfig = Type.Object({
  name: NodeName,
  topic: Type.String({ default: '', description: 'Topic to publish to; empty to use msg.topic' }),
  qos: NumberLike('', 'QoS 0, 1 or 2; empty to use msg.qos (0 when unset)'),
  retain: Type.Union([Type.Boolean(), Type.String()], { default: '', description: 'Retain: true/false; empty to use msg.retain' }),
  respTopic: Type.String({ default: '', description: 'MQTT 5: response topic' }),
  contentType: Type.String({ default: '', description: 'MQTT 5: content type' }),
  userProps: Type.Unknown({ default: '', description: 'MQTT 5: user properties, a JSON object' }),
  correl: Type.String({ default: '', description: 'MQTT 5: correlation data' }),
  expiry: NumberLike('', 'MQTT 5: message expiry interval in seconds'),
  broker: Type.String({ default: '', description: 'The mqtt-broker config node' }),
  storeForward: Type.Boolean({ default: false, description: 'Keep messages in a durable queue while the broker is unreachable and send them in order when it returns' }),
  sfMaxMessages: NumberLike(10000, 'Store-and-forward: most messages kept'),
  sfMaxAge: NumberLike(86400, 'Store-and-forward: seconds a message may wait before it is dropped (0 = no limit)'),
  sfOverflow: Type.Union([Type.Literal('drop-oldest'), Type.Literal('drop-newest')], { default: 'drop-oldest', description: 'Store-and-forward: when full, drop the oldest queued message or refuse the new one' }),
});

export const mqttOutNode = defineNode({
  type: 'mqtt out',
  category: 'network',
  config: MqttOutConfig,
  inputs: 1,
  outputs: 0,
  editor: { label: 'mqtt out', icon: 'bridge.svg', color: '#d8bfd8', align: 'right', widgets: { broker: 'config-node:mqtt-broker' } },
  helpFile: readmeBeside(import.meta.url),
  create(node, config) {
    const where = `mqtt out ${node.id}`;
    const broker = node.getConfigNode<MqttBrokerService>(config.broker);
    if (!broker) throw new Error(`${where}: the broker config node "${config.broker}" is missing; add an mqtt-broker node and select it in property "broker"`);
    if (!config.storeForward) {
      const stopStatus = broker.use((state, detail) => node.status(connectionStatus(state, detail)));
      return {
        // Callback form: done when mqtt.js has written the message, without a promise per message.
        input(msg, _send, done) {
          const request = outgoingRequest(where, config, msg, broker.v5);
          if (request) broker.publishThen(request, done);
          else done();
        },
        close: stopStatus,
      };
    }
    const dataDir = node.settings.dataDir;
    if (typeof dataDir !== 'string' || !dataDir) throw new Error(`${where}: store-and-forward needs the runtime setting "dataDir" (the server's data folder) to keep its queue; turn storeForward off or start the runtime with a data folder`);
    const maxMessages = Number(config.sfMaxMessages);
    if (!Number.isInteger(maxMessages) || maxMessages < 1) throw new Error(`${where}: sfMaxMessages must be a whole number >= 1, not "${config.sfMaxMessages}"`);
    const forward = new StoreForward(node, broker, dataDir, { maxMessages, maxAgeSeconds: Number(config.sfMaxAge) || 0, overflow: config.sfOverflow });
    return {
      input(msg) {
        const request = outgoingRequest(where, config, msg, broker.v5);
        if (request) forward.accept(request);
      },
      close: () => forward.close(),
    };
  },
});
