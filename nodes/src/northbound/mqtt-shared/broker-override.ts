import type { MqttConnectionOptions } from './mqtt-connection.js';

/**
 * Node-RED's `msg.broker` of a `connect` action: a partial set of mqtt-broker
 * properties (broker, port, url, usetls, clientid, username, password,
 * protocolVersion, keepalive, cleansession, autoConnect) applied over the
 * current connection. Unknown properties are ignored, as in Node-RED.
 */
export function brokerOverride(where: string, current: MqttConnectionOptions, value: unknown): Partial<MqttConnectionOptions> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${where}: msg.broker must be an object of mqtt-broker properties (broker, port, clientid, username, password...), not ${JSON.stringify(value)}`);
  }
  const o = value as Record<string, unknown>;
  const changes: Partial<MqttConnectionOptions> = {};
  const text = (key: string): string | undefined => (typeof o[key] === 'string' || typeof o[key] === 'number' ? String(o[key]).trim() : undefined);
  const url = text('url');
  if (url) {
    changes.url = url;
  } else if (text('broker') || text('port') || o.usetls !== undefined) {
    const base = new URL(current.url);
    const tls = o.usetls === undefined ? /^(mqtts|wss):/.test(current.url) : o.usetls === true || o.usetls === 'true';
    const host = text('broker') || base.hostname;
    const port = Number(text('port') || base.port) || (tls ? 8883 : 1883);
    changes.url = host.includes('://') ? host : `${tls ? 'mqtts' : 'mqtt'}://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
  }
  if (changes.url) {
    try {
      new URL(changes.url);
    } catch {
      throw new Error(`${where}: msg.broker gives the address "${changes.url}", which is not a valid broker URL; use a host name and port, or a URL such as mqtt://host:1883`);
    }
    changes.label = current.label.replace(/\(.*\)$/, `(${changes.url})`);
  }
  const clientId = text('clientid');
  if (clientId) changes.clientId = clientId;
  const username = text('username') ?? text('user');
  if (username !== undefined) changes.username = username;
  const password = text('password');
  if (password !== undefined) changes.password = password;
  const version = Number(o.protocolVersion);
  if (version === 3 || version === 4 || version === 5) changes.protocolVersion = version;
  const keepalive = Number(o.keepalive);
  if (keepalive > 0) changes.keepalive = keepalive;
  if (o.cleansession !== undefined) changes.clean = o.cleansession === true || o.cleansession === 'true';
  return changes;
}
