import { Type } from '@sinclair/typebox';
import { defineNode, NodeName, NumberLike, readmeBeside } from '@loopedge/runtime';
import { datahubConnection } from '../mqtt-shared/datahub-connection.js';
import { connectionStatus } from '../mqtt-shared/mqtt-connection.js';
import { outgoingRequest } from '../mqtt-shared/outgoing-message.js';

const DatahubOutConfig = Type.Object({
  name: NodeName,
  topic: Type.String({ default: '', description: 'Topic to publish to on the DataHub; empty to use msg.topic' }),
  qos: NumberLike('', 'QoS 0, 1 or 2; empty to use msg.qos'),
  retain: Type.Union([Type.Boolean(), Type.String()], { default: '', description: 'Retain: true/false; empty to use msg.retain' }),
});

export const datahubOutNode = defineNode({
  type: 'datahub-out',
  category: 'northbound',
  config: DatahubOutConfig,
  inputs: 1,
  outputs: 0,
  editor: { label: 'datahub out', icon: 'bridge.svg', color: '#c0deed', align: 'right' },
  helpFile: readmeBeside(import.meta.url),
  create(node, config) {
    const where = `datahub-out ${node.id}`;
    const hub = datahubConnection(node);
    hub.use((state, detail) => node.status(connectionStatus(state, detail)));
    return {
      async input(msg) {
        const request = outgoingRequest(where, config, msg, false);
        if (request) await hub.publish(request);
      },
      close: () => hub.close(),
    };
  },
});
