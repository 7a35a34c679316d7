import { connect, type MqttClient, type IClientOptions } from 'mqtt';
import { startTestFlow, type TestFlow, type TestFlowOptions } from '@loopedge/runtime';
import type { FlowDocument } from '@loopedge/flows';
import { mqttNodes } from '../../registry/mqtt-nodes.js';
import { catchNode } from '../../common/catch/index.js';

export const TAB = { id: 't1', type: 'tab', label: 'MQTT' };

/** An mqtt-broker config node pointing at a test broker (reconnects every 100 ms via the runtime setting). */
export function brokerNode(port: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: 'b1', type: 'mqtt-broker', broker: '127.0.0.1', port: String(port), clientid: '', protocolVersion: '4', keepalive: '60', cleansession: true, ...extra };
}

export function startMqttFlow(nodes: Array<Record<string, unknown>>, options: Partial<TestFlowOptions> = {}): Promise<TestFlow> {
  return startTestFlow([TAB, ...nodes] as FlowDocument, { nodeTypes: [...mqttNodes, catchNode], ...options, settings: { mqttReconnectTime: 100, ...(options.settings ?? {}) } });
}

/** Resolves once the node's latest status text starts with `text`. */
export function waitForStatus(flow: TestFlow, nodeId: string, text: string, timeoutMs = 5000): Promise<void> {
  return flow.waitUntil(() => (flow.statuses(nodeId).at(-1)?.text ?? '').startsWith(text), timeoutMs, () => `status of ${nodeId} is ${JSON.stringify(flow.statuses(nodeId).at(-1))}, waiting for "${text}"`);
}

/** A plain mqtt.js client for the other side of a test; resolves once connected. */
export async function rawClient(url: string, options: IClientOptions = {}): Promise<MqttClient> {
  const client = connect(url, { reconnectPeriod: 0, ...options });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return client;
}

export interface Received {
  topic: string;
  payload: Buffer;
  retain: boolean;
  qos: number;
}

/** Subscribe a raw client and collect what arrives. */
export async function collect(client: MqttClient, filter: string, qos: 0 | 1 | 2 = 2): Promise<Received[]> {
  const received: Received[] = [];
  client.on('message', (topic, payload, packet) => received.push({ topic, payload, retain: packet.retain, qos: packet.qos }));
  await client.subscribeAsync(filter, { qos });
  return received;
}

/** Poll (no timing assertion: only a bound on how long to wait) until the condition holds. */
export async function eventually(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`Timed out waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
