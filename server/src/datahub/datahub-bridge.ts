import { readFileSync } from 'node:fs';
import { connect, type MqttClient } from 'mqtt';
import type { Aedes, AedesPublishPacket, Client } from 'aedes';
import type { Logger } from '@loopedge/runtime';
import type { BridgeSettings, BridgeTopic } from './datahub-settings.js';
import { filterCovers } from './topic-filter.js';

export interface RunningBridge {
  readonly connected: boolean;
  stop(): Promise<void>;
}

const FIRST_RECONNECT_MS = 1000;

function caOf(ca: string | undefined): string | Buffer | undefined {
  if (ca === undefined) return undefined;
  if (ca.includes('-----BEGIN')) return ca;
  try {
    return readFileSync(ca);
  } catch (error) {
    throw new Error(`settings.json "datahub".bridge.ca: cannot read "${ca}" (${(error as Error).message}); give the PEM text or a readable file`);
  }
}

/** `prefix + rest`, where `rest` is what follows `from` in the topic. */
function swapPrefix(topic: string, from: string, to: string): string {
  return to + topic.slice(from.length);
}

/**
 * Bridges the DataHub to an external broker, as mosquitto's bridge does: for
 * each topic row, local `localPrefix + pattern` ↔ remote `remotePrefix +
 * pattern`. Loops (direction `both`) are cut on both sides:
 *   - local → remote forwards only what a client published, never what the
 *     bridge itself injected (aedes reports those without a client);
 *   - remote → local subscribes with MQTT 5 "no local", so the remote broker
 *     does not send the bridge's own publications back.
 * Reconnects with back-off from 1 s up to `reconnectMaxMs`; while the remote
 * is away, mqtt.js keeps outgoing messages in memory (QoS 1/2 are resent).
 */
export function startBridge(broker: Aedes, settings: BridgeSettings, logger: Logger): RunningBridge {
  const outgoing = settings.topics.filter((t) => t.direction !== 'in');
  const incoming = settings.topics.filter((t) => t.direction !== 'out');
  const ca = caOf(settings.ca);
  let reconnectMs = FIRST_RECONNECT_MS;
  const remote: MqttClient = connect(settings.url, {
    clientId: settings.clientId,
    protocolVersion: 5,
    clean: true,
    resubscribe: false,
    reconnectPeriod: reconnectMs,
    connectTimeout: 10_000,
    ...(settings.username !== undefined ? { username: settings.username } : {}),
    ...(settings.password !== undefined ? { password: settings.password } : {}),
    ...(ca ? { ca } : {}),
  });

  remote.on('connect', () => {
    reconnectMs = FIRST_RECONNECT_MS;
    remote.options.reconnectPeriod = reconnectMs;
    logger.info({ url: settings.url }, 'DataHub bridge connected');
    if (incoming.length === 0) return;
    const filters = Object.fromEntries(incoming.map((t) => [t.remotePrefix + t.pattern, { qos: t.qos, nl: true }]));
    remote.subscribe(filters, (error) => {
      if (error) logger.error({ err: error, url: settings.url }, 'DataHub bridge could not subscribe on the remote broker');
    });
  });
  remote.on('close', () => {
    // Back-off: each failed attempt doubles the wait, up to the limit.
    reconnectMs = Math.min(reconnectMs * 2, settings.reconnectMaxMs);
    remote.options.reconnectPeriod = reconnectMs;
  });
  remote.on('error', (error) => logger.warn({ err: error, url: settings.url }, 'DataHub bridge: remote broker error'));
  remote.on('message', (topic, payload, packet) => {
    const row = incoming.find((t) => topic.startsWith(t.remotePrefix) && filterCovers(t.remotePrefix + t.pattern, topic));
    if (!row) return;
    const local: AedesPublishPacket = { cmd: 'publish', topic: swapPrefix(topic, row.remotePrefix, row.localPrefix), payload, qos: Math.min(row.qos, packet.qos) as 0 | 1 | 2, retain: false, dup: false, messageId: 0 } as AedesPublishPacket;
    broker.publish(local, (error) => {
      if (error) logger.warn({ err: error, topic }, 'DataHub bridge could not publish locally');
    });
  });

  const onLocalPublish = (packet: AedesPublishPacket, client: Client | null): void => {
    if (!client || packet.topic.startsWith('$SYS/')) return; // the bridge's own injections (and the broker's) stay local
    const row: BridgeTopic | undefined = outgoing.find((t) => packet.topic.startsWith(t.localPrefix) && filterCovers(t.localPrefix + t.pattern, packet.topic));
    if (!row) return;
    remote.publish(swapPrefix(packet.topic, row.localPrefix, row.remotePrefix), packet.payload as Buffer, { qos: row.qos, retain: packet.retain });
  };
  broker.on('publish', onLocalPublish);

  return {
    get connected() {
      return remote.connected;
    },
    async stop() {
      broker.off('publish', onLocalPublish);
      await remote.endAsync(true);
    },
  };
}
