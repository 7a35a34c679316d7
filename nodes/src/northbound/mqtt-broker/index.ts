import { randomBytes } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import { defineNode, NodeName, NumberLike, readmeBeside, type NodeApi } from '@loopedge/runtime';
import { MqttConnection, type LifecycleMessage, type MqttConnectionOptions } from '../mqtt-shared/mqtt-connection.js';
import { parseQos, parseFlag } from '../mqtt-shared/mqtt-properties.js';
import type { TlsConfigService } from '../../network/tls-config/index.js';

const Flag = (value: boolean, description: string) => Type.Union([Type.Boolean(), Type.String()], { default: value, description });

const MqttBrokerConfig = Type.Object({
  name: NodeName,
  broker: Type.String({ default: '', description: 'Broker host name or address, or a full URL (mqtt://, mqtts://, ws://, wss://)' }),
  port: NumberLike(1883, 'Broker port (1883, or 8883 with TLS)'),
  clientid: Type.String({ default: '', description: 'Client id; a random one when empty' }),
  usetls: Type.Boolean({ default: false, description: 'Connect with TLS (mqtts)' }),
  tls: Type.String({ default: '', description: 'With TLS: the tls-config node (CA, client certificate, pins); empty to use this node\'s own ca/cert/key credentials' }),
  protocolVersion: NumberLike(4, 'MQTT protocol: 3 (3.1), 4 (3.1.1) or 5'),
  keepalive: NumberLike(60, 'Keep-alive interval in seconds'),
  cleansession: Type.Boolean({ default: true, description: 'Start a clean session on every connect' }),
  sessionExpiry: NumberLike('', 'MQTT 5: session expiry interval in seconds'),
  birthTopic: Type.String({ default: '', description: 'Topic of the message published on each connect (none when empty)' }),
  birthQos: NumberLike('0'),
  birthRetain: Flag(false, 'Retain the birth message'),
  birthPayload: Type.String({ default: '' }),
  closeTopic: Type.String({ default: '', description: 'Topic of the message published before a clean disconnect' }),
  closeQos: NumberLike('0'),
  closeRetain: Flag(false, 'Retain the close message'),
  closePayload: Type.String({ default: '' }),
  willTopic: Type.String({ default: '', description: 'Topic the broker publishes to when the connection is lost' }),
  willQos: NumberLike('0'),
  willRetain: Flag(false, 'Retain the will message'),
  willPayload: Type.String({ default: '' }),
  rejectUnauthorized: Type.Boolean({ default: true, description: 'With TLS: refuse a broker certificate the CA does not vouch for' }),
  autoConnect: Flag(true, 'Connect when a node starts using the broker; off: wait for a "connect" action sent to a dynamic mqtt in'),
});
type MqttBrokerConfig = Static<typeof MqttBrokerConfig>;

const MqttBrokerCredentials = Type.Object({
  user: Type.Optional(Type.String({ description: 'User name' })),
  password: Type.Optional(Type.String({ description: 'Password' })),
  ca: Type.Optional(Type.String({ description: 'With TLS: CA certificate(s), PEM' })),
  cert: Type.Optional(Type.String({ description: 'With TLS: client certificate, PEM' })),
  key: Type.Optional(Type.String({ description: 'With TLS: client private key, PEM' })),
});

/** The service `mqtt in` / `mqtt out` get from `node.getConfigNode(config.broker)`. */
export type MqttBrokerService = MqttConnection;

function lifecycleMessage(topic: string, payload: string, qos: unknown, retain: unknown): LifecycleMessage | undefined {
  return topic ? { topic, payload, qos: parseQos(qos), retain: parseFlag(retain) } : undefined;
}

function brokerUrl(node: NodeApi, config: MqttBrokerConfig): string {
  const broker = config.broker.trim();
  if (!broker) throw new Error(`mqtt-broker ${node.id}: the broker address (property "broker") is empty; set a host name, an address or a URL`);
  if (broker.includes('://')) return broker;
  const port = Number(config.port) || (config.usetls ? 8883 : 1883);
  return `${config.usetls ? 'mqtts' : 'mqtt'}://${broker.includes(':') ? `[${broker}]` : broker}:${port}`;
}

function tlsConfigOptions(node: NodeApi, id: string): TlsConfigService {
  const tls = node.getConfigNode<TlsConfigService>(id);
  if (!tls) throw new Error(`mqtt-broker ${node.id}: the tls-config node "${id}" (property "tls") is missing or failed to start; add it or clear the property to use the broker's own certificates`);
  return tls;
}

/** Turn the node's properties and credentials into connection options (exported for tests). */
export function connectionOptions(node: NodeApi, config: MqttBrokerConfig): MqttConnectionOptions {
  const url = brokerUrl(node, config);
  const version = Number(config.protocolVersion);
  if (version !== 3 && version !== 4 && version !== 5) throw new Error(`mqtt-broker ${node.id}: protocolVersion must be 3, 4 or 5, not "${config.protocolVersion}"`);
  const { user, password, ca, cert, key } = node.credentials;
  const secure = /^(mqtts|wss|ssl|tls):/.test(url);
  const reconnect = Number(node.settings.mqttReconnectTime);
  return {
    url,
    label: `mqtt-broker ${node.id} (${url})`,
    clientId: config.clientid || `loopedge_${randomBytes(4).toString('hex')}`,
    protocolVersion: version,
    keepalive: Number(config.keepalive) || 60,
    clean: config.cleansession,
    ...(user ? { username: user } : {}),
    ...(password ? { password } : {}),
    // Node-RED's setting name, so a settings file carries over.
    reconnectPeriodMs: Number.isFinite(reconnect) && reconnect > 0 ? reconnect : 5000,
    ...(secure && !config.tls ? { tls: { rejectUnauthorized: config.rejectUnauthorized, ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) } } : {}),
    ...(secure && config.tls ? { resolveTls: () => tlsConfigOptions(node, config.tls) } : {}),
    birth: lifecycleMessage(config.birthTopic, config.birthPayload, config.birthQos, config.birthRetain),
    close: lifecycleMessage(config.closeTopic, config.closePayload, config.closeQos, config.closeRetain),
    will: lifecycleMessage(config.willTopic, config.willPayload, config.willQos, config.willRetain),
    ...(Number(config.sessionExpiry) > 0 ? { sessionExpiry: Number(config.sessionExpiry) } : {}),
    autoConnect: config.autoConnect !== false && config.autoConnect !== 'false',
  };
}

export const mqttBrokerNode = defineNode({
  type: 'mqtt-broker',
  category: 'config',
  configNode: true,
  config: MqttBrokerConfig,
  credentials: MqttBrokerCredentials,
  inputs: 0,
  outputs: 0,
  editor: { label: 'mqtt-broker', icon: 'bridge.svg', color: '#d8bfd8' },
  helpFile: readmeBeside(import.meta.url),
  create(node, config) {
    // The connection opens when the first mqtt in/out node starts using it.
    // With the runtime's load: reading stops while the flows are busy (back-pressure).
    const connection = new MqttConnection(connectionOptions(node, config), (message) => node.warn(message), node.load);
    return {
      api: connection satisfies MqttBrokerService,
      close: () => connection.close(),
    };
  },
});
