import type { FlowMessage, NodeApi, SendFunction } from '@loopedge/runtime';
import type { MqttConnection } from '../mqtt-shared/mqtt-connection.js';
import { brokerOverride } from '../mqtt-shared/broker-override.js';
import { MQTT_DATATYPES } from '../mqtt-shared/payload-format.js';
import { deliverReceived } from '../mqtt-shared/received-message.js';
import { validTopicFilter } from '../mqtt-shared/topic-match.js';

/** One dynamic subscription as Node-RED lists it (`getSubscriptions`, `msg.subscriptions`). */
export interface DynamicSubscription {
  topic: string;
  qos: 0 | 1 | 2;
  datatype?: string;
  rh?: 0 | 1 | 2;
  rap?: boolean;
  nl?: boolean;
}

const ACTIONS = ['connect', 'disconnect', 'subscribe', 'unsubscribe', 'getSubscriptions'] as const;
type Action = (typeof ACTIONS)[number];

function intIn(value: unknown, min: number, max: number, fallback: number): number {
  const n = typeof value === 'string' || typeof value === 'number' ? Number.parseInt(String(value), 10) : Number.NaN;
  return Number.isInteger(n) && n >= min && n <= max ? n : fallback;
}

/**
 * `mqtt in` with `inputs: 1` (Node-RED's "dynamic subscription"): messages
 * with `msg.action` subscribe, unsubscribe, list subscriptions, connect and
 * disconnect, with Node-RED 4.1's rules (10-mqtt.js, MQTTInNode input handler).
 */
export class DynamicSubscriptions {
  readonly #subs = new Map<string, { sub: DynamicSubscription; stop: () => void }>();

  constructor(
    private readonly node: NodeApi,
    private readonly broker: MqttConnection,
    private readonly defaultDatatype: string,
  ) {}

  async handle(msg: FlowMessage, send: SendFunction): Promise<void> {
    const where = `mqtt in ${this.node.id}`;
    const action = msg.action as Action;
    if (!ACTIONS.includes(action)) {
      throw new Error(`${where}: msg.action "${String(msg.action)}" is not known; use one of ${ACTIONS.join(', ')}`);
    }
    switch (action) {
      case 'connect':
        return this.#connect(where, msg);
      case 'disconnect':
        return this.broker.disconnect();
      case 'getSubscriptions':
        msg.topic = 'subscriptions';
        msg.payload = this.list();
        send(msg);
        return;
      case 'subscribe':
      case 'unsubscribe': {
        const wanted = action === 'unsubscribe' && (msg.topic as unknown) === true ? this.list() : this.#parseTopics(where, msg.topic);
        for (const sub of wanted) {
          if (action === 'subscribe') this.#subscribe(where, sub);
          else this.#unsubscribe(sub.topic);
        }
        // Node-RED leaves the current list on the message, for a complete node.
        msg.subscriptions = this.list();
        return;
      }
    }
  }

  list(): DynamicSubscription[] {
    return [...this.#subs.values()].map(({ sub }) => ({ ...sub }));
  }

  close(): void {
    for (const topic of [...this.#subs.keys()]) this.#unsubscribe(topic);
  }

  async #connect(where: string, msg: FlowMessage): Promise<void> {
    const override = msg.broker !== undefined && msg.broker !== null ? msg.broker : undefined;
    if (this.broker.connectable) {
      await this.broker.connect(override === undefined ? undefined : brokerOverride(where, this.broker.options, override));
      return;
    }
    if (override === undefined) return; // already connected or connecting: nothing to do
    if ((override as { force?: unknown }).force !== true) {
      throw new Error(`${where}: the broker is already connected; to connect with msg.broker, set msg.broker.force = true (or send "disconnect" first)`);
    }
    const changes = brokerOverride(where, this.broker.options, override);
    await this.broker.disconnect();
    await this.broker.connect(changes);
  }

  #parseTopics(where: string, topic: unknown): Array<Partial<DynamicSubscription> & { topic: string }> {
    const entries = Array.isArray(topic) ? topic : typeof topic === 'string' || (typeof topic === 'object' && topic !== null) ? [topic] : undefined;
    if (!entries) throw new Error(`${where}: msg.topic must be a topic, an array of topics or of { topic, qos } objects to (un)subscribe, not ${JSON.stringify(topic)}`);
    return entries.map((entry: unknown) => {
      const sub = (typeof entry === 'string' ? { topic: entry } : entry) as Record<string, unknown> | null;
      const filter = sub && typeof sub.topic === 'string' ? sub.topic : '';
      if (!validTopicFilter(filter)) throw new Error(`${where}: "${String(sub?.topic ?? entry)}" is not a valid MQTT topic filter; use one such as "site/+/temperature" or "site/#"`);
      return { ...sub, topic: filter };
    });
  }

  #subscribe(where: string, requested: Partial<DynamicSubscription> & { topic: string }): void {
    // Node-RED always unsubscribes first, so subscribing again replaces the options.
    this.#unsubscribe(requested.topic);
    const datatype = typeof requested.datatype === 'string' && requested.datatype ? requested.datatype : undefined;
    if (datatype && !MQTT_DATATYPES.includes(datatype as never)) throw new Error(`${where}: datatype "${datatype}" of "${requested.topic}" is unknown; use one of ${MQTT_DATATYPES.join(', ')}`);
    const sub: DynamicSubscription = { ...requested, topic: requested.topic, qos: intIn(requested.qos, 0, 2, 2) as 0 | 1 | 2 };
    if (this.broker.v5) {
      sub.rh = intIn(requested.rh, 0, 2, 0) as 0 | 1 | 2;
      sub.rap = requested.rap === undefined ? true : requested.rap === true || (requested.rap as unknown) === 'true';
      if (requested.nl !== undefined) sub.nl = requested.nl === true || (requested.nl as unknown) === 'true';
    }
    const stop = this.broker.subscribe(sub.topic, { qos: sub.qos, ...(sub.nl !== undefined ? { nl: sub.nl } : {}), ...(sub.rap !== undefined ? { rap: sub.rap } : {}), ...(sub.rh !== undefined ? { rh: sub.rh } : {}) }, (topic, payload, packet) =>
      deliverReceived(this.node, datatype ?? this.defaultDatatype, topic, payload, packet, this.broker.v5),
    );
    this.#subs.set(sub.topic, { sub, stop });
  }

  #unsubscribe(topic: string): void {
    const entry = this.#subs.get(topic);
    if (!entry) return;
    entry.stop();
    this.#subs.delete(topic);
  }
}
