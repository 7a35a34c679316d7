import { Type } from '@sinclair/typebox';
import { defineNode, NodeName, NumberLike, readmeBeside, type NodeApi } from '@loopedge/runtime';
import type { MqttBrokerService } from '../../northbound/mqtt-broker/index.js';
import type { MqttConnection } from '../../northbound/mqtt-shared/mqtt-connection.js';
import { datahubConnection } from '../../northbound/mqtt-shared/datahub-connection.js';
import { parseQos } from '../../northbound/mqtt-shared/mqtt-properties.js';
import type { Delivery } from '../notifier-shared/notifier-dispatcher.js';
import { notifierProperties, startNotifier } from '../notifier-shared/notifier-node.js';
import { checkTemplate, renderTemplate } from '../notifier-shared/notification-text.js';

const NotifyMqttConfig = Type.Object({
  name: NodeName,
  broker: Type.String({ default: '', description: 'The mqtt-broker config node; empty to publish on the embedded DataHub' }),
  topic: Type.String({ default: 'loopedge/alerts/{{key}}', description: 'Topic template: {{key}}, {{severity}}, {{transition}}, {{state}}, {{nodeId}}, {{flowId}}' }),
  summaryTopic: Type.String({ default: 'loopedge/alerts/summary', description: 'Topic of the storm summaries' }),
  qos: NumberLike(1, 'QoS 0, 1 or 2 (1 or 2: the notification leaves the queue once the broker acknowledged it)'),
  retain: Type.Boolean({ default: false, description: 'Retain the last notification per topic on the broker' }),
  ...notifierProperties,
});

/** The payload: the notification (or summary) plus when it was sent and the delivery id. */
export function mqttPayload(delivery: Delivery, sentAt: Date): string {
  if (delivery.kind === 'alert') return JSON.stringify({ kind: 'alert', ...delivery.notification, deliveryId: delivery.deliveryId, sentAt: sentAt.toISOString() });
  return JSON.stringify({ kind: 'summary', summary: delivery.summary, notifications: delivery.notifications, deliveryId: delivery.deliveryId, sentAt: sentAt.toISOString() });
}

/** How long the first attempt waits for the connection it opens. */
const CONNECT_WAIT_MS = 5000;

function connected(broker: MqttConnection, timeoutMs: number): Promise<void> {
  if (broker.state === 'connected') return Promise.resolve();
  return new Promise((resolve) => {
    let stop: (() => void) | undefined;
    const timer = setTimeout(finish, timeoutMs);
    function finish(): void {
      clearTimeout(timer);
      stop?.();
      resolve(); // the publish that follows reports "not connected" when the wait ran out
    }
    // Connected, or the attempt failed (refused, unreachable): either way stop waiting.
    stop = broker.use((state) => {
      if (state !== 'connecting') setImmediate(finish);
    });
  });
}

export const notifyMqttNode = defineNode({
  type: 'notify-mqtt',
  category: 'config',
  configNode: true,
  config: NotifyMqttConfig,
  inputs: 0,
  outputs: 0,
  editor: { label: 'notify mqtt', icon: 'bridge.svg', color: '#e2d96e', widgets: { broker: 'config-node:mqtt-broker' } },
  helpFile: readmeBeside(import.meta.url),
  create(node: NodeApi, config) {
    const where = `notify-mqtt ${node.id}`;
    if (!config.topic.trim()) throw new Error(`${where}: property "topic" is empty; give a topic (template), e.g. loopedge/alerts/{{key}}`);
    if (/[+#]/.test(config.topic) || /[+#]/.test(config.summaryTopic)) throw new Error(`${where}: topics may not contain the wildcards + or # (properties "topic", "summaryTopic")`);
    checkTemplate(where, 'topic', config.topic);
    const qos = parseQos(config.qos);
    // The DataHub connection is ours to open and close; an mqtt-broker node's belongs to it.
    const ownDatahub = config.broker ? undefined : datahubConnection(node);
    let connection: MqttConnection | undefined = ownDatahub;
    let stopListening: (() => void) | undefined;

    // Resolved at the first delivery: config nodes start in document order, the broker node may come after this one.
    const connect = (): MqttConnection => {
      if (connection && stopListening) return connection;
      connection ??= node.getConfigNode<MqttBrokerService>(config.broker);
      if (!connection) throw new Error(`the mqtt-broker node "${config.broker}" (property "broker") is missing or failed to start; add it or select another`);
      // Retry the queue as soon as the broker is back rather than at the end of the back-off.
      stopListening = connection.use((state) => {
        if (state === 'connected') handlers.api?.retryNow();
      });
      return connection;
    };

    const handlers = startNotifier(
      node,
      config,
      {
        async deliver(delivery) {
          const fresh = !stopListening;
          const broker = connect();
          // Only the first attempt waits for the connection being made; later ones fail fast, and a reconnect retries at once.
          if (fresh) await connected(broker, CONNECT_WAIT_MS);
          const topic = delivery.kind === 'alert' ? renderTemplate(config.topic, delivery.notification) : config.summaryTopic;
          // requireConnected: while the broker is away the notification stays in OUR durable queue, not in mqtt.js's memory.
          await broker.publish({ topic, payload: mqttPayload(delivery, new Date()), qos, retain: config.retain }, true);
        },
      },
      async () => {
        stopListening?.();
        await ownDatahub?.close();
      },
    );
    return handlers;
  },
});
