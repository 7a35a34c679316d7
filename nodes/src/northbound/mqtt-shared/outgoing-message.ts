import type { IClientPublishOptions } from 'mqtt';
import type { FlowMessage } from '@loopedge/runtime';
import type { PublishRequest } from './mqtt-connection.js';
import { encodePayload } from './payload-format.js';
import { parseFlag, parseQos } from './mqtt-properties.js';
import { validPublishTopic } from './topic-match.js';

export interface OutgoingDefaults {
  topic: string;
  qos: unknown;
  retain: unknown;
  respTopic?: string;
  contentType?: string;
  correl?: string;
  expiry?: unknown;
  userProps?: unknown;
}

type PublishProperties = NonNullable<IClientPublishOptions['properties']>;

function userProperties(value: unknown): Record<string, string> | undefined {
  let parsed = value;
  if (typeof value === 'string') {
    if (!/^\s*\{/.test(value)) return undefined;
    parsed = JSON.parse(value) as unknown;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  return Object.fromEntries(Object.entries(parsed as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
}

/**
 * Node-RED's `doPublish` rules: the node's topic/QoS/retain win over the
 * message's; MQTT 5 properties come from the node or the message. Returns
 * undefined when the message has no payload (nothing is published, as in Node-RED).
 */
export function outgoingRequest(where: string, defaults: OutgoingDefaults, msg: FlowMessage, v5: boolean): PublishRequest | undefined {
  if (!Object.prototype.hasOwnProperty.call(msg, 'payload')) return undefined;
  const topic = defaults.topic || (typeof msg.topic === 'string' ? msg.topic : '');
  if (!validPublishTopic(topic)) {
    throw new Error(`${where}: cannot publish to topic "${topic}": set the node's topic or msg.topic to a topic without + or # wildcards`);
  }
  const qos = parseQos(defaults.qos || msg.qos || 0);
  const retain = parseFlag(defaults.retain) || parseFlag(msg.retain);
  const request: PublishRequest = { topic, payload: encodePayload(msg.payload), qos, retain };
  if (v5) {
    const properties: PublishProperties = {};
    const responseTopic = defaults.respTopic || msg.responseTopic;
    if (typeof responseTopic === 'string' && responseTopic) properties.responseTopic = responseTopic;
    const contentType = defaults.contentType || msg.contentType;
    if (typeof contentType === 'string' && contentType) properties.contentType = contentType;
    const correlation = defaults.correl || msg.correlationData;
    if (correlation) properties.correlationData = Buffer.isBuffer(correlation) ? correlation : Buffer.from(String(correlation));
    const expiry = Number(defaults.expiry || msg.messageExpiryInterval);
    if (expiry > 0) properties.messageExpiryInterval = expiry;
    const user = userProperties(defaults.userProps) ?? userProperties(msg.userProperties);
    if (user) properties.userProperties = user;
    if (Object.keys(properties).length > 0) request.properties = properties;
  }
  return request;
}

/** MQTT 5 properties to and from the queue's text column (correlation data is binary). */
export function propertiesToText(properties: PublishRequest['properties']): string | null {
  if (!properties) return null;
  const { correlationData, ...rest } = properties;
  return JSON.stringify({ ...rest, ...(correlationData ? { correlationData64: Buffer.from(correlationData).toString('base64') } : {}) });
}

export function propertiesFromText(text: string | null): PublishRequest['properties'] {
  if (!text) return undefined;
  const { correlationData64, ...rest } = JSON.parse(text) as PublishProperties & { correlationData64?: string };
  return { ...rest, ...(correlationData64 ? { correlationData: Buffer.from(correlationData64, 'base64') } : {}) };
}
