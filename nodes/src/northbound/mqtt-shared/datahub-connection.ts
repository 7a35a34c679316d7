import type { NodeApi } from '@loopedge/runtime';
import { MqttConnection } from './mqtt-connection.js';

/** What the server puts in runtime settings as `datahub` when the embedded broker runs. */
interface DatahubSetting {
  url: string;
  username: string;
  password: string;
}

function isDatahubSetting(value: unknown): value is DatahubSetting {
  const v = value as Partial<DatahubSetting> | undefined;
  return !!v && typeof v.url === 'string' && typeof v.username === 'string' && typeof v.password === 'string';
}

/**
 * A connection to the embedded DataHub broker as the runtime's own user. The
 * datahub nodes have no config node: the server hands the broker's address and
 * a per-start password to the runtime (`settings.datahub`).
 */
export function datahubConnection(node: NodeApi): MqttConnection {
  const setting = node.settings.datahub;
  if (!isDatahubSetting(setting)) {
    throw new Error(`${node.type} ${node.id}: the DataHub is off; enable it with "datahub": { "port": 1883, "applications": [] } in the server's settings.json and restart`);
  }
  const reconnect = Number(node.settings.mqttReconnectTime);
  return new MqttConnection(
    {
      url: setting.url,
      label: `the DataHub (${setting.url})`,
      clientId: `loopedge-${node.type.replace(/\s/g, '-')}-${node.id}`,
      protocolVersion: 4,
      keepalive: 60,
      clean: true,
      username: setting.username,
      password: setting.password,
      reconnectPeriodMs: Number.isFinite(reconnect) && reconnect > 0 ? reconnect : 5000,
    },
    (message) => node.warn(message),
    node.load,
  );
}
