import { createRequire } from 'node:module';
import type { IClientOptions, IClientPublishOptions, IPublishPacket, MqttClient } from 'mqtt';
import type { QoS } from './mqtt-properties.js';
import type { PeerCertificate } from 'node:tls';
import type { NodeStatus, RuntimeLoad } from '@loopedge/runtime';
import { topicMatches } from './topic-match.js';
import { BackPressureGate } from './back-pressure.js';
import { loadMqttPacketQuietly } from './quiet-mqtt-packet.js';

export type ConnectionState = 'connecting' | 'connected' | 'disconnected';

/** A message the connection publishes by itself (birth on connect, close before disconnect, will by the broker). */
export interface LifecycleMessage {
  topic: string;
  payload: string;
  qos: QoS;
  retain: boolean;
}

export interface MqttConnectionOptions {
  /** `mqtt://host:port` or `mqtts://host:port` (also ws/wss). */
  url: string;
  /** Where the connection comes from, for error messages, e.g. `mqtt-broker b1 (mqtt://host:1883)`. */
  label: string;
  clientId: string;
  protocolVersion: 3 | 4 | 5;
  keepalive: number;
  clean: boolean;
  username?: string;
  password?: string;
  reconnectPeriodMs: number;
  tls?: MqttTlsOptions;
  /**
   * TLS options from a tls-config node, looked up when the client is first
   * made: config nodes start in document order, and the tls-config node may
   * come after the broker in an exported flow.
   */
  resolveTls?: () => MqttTlsOptions;
  birth?: LifecycleMessage;
  close?: LifecycleMessage;
  will?: LifecycleMessage;
  sessionExpiry?: number;
  /** Connect when the first node starts using the connection (Node-RED's autoConnect, default on). */
  autoConnect?: boolean;
}

/** TLS client options (a tls-config node's, or built from the broker's own credentials). */
export interface MqttTlsOptions {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  passphrase?: string;
  rejectUnauthorized: boolean;
  servername?: string;
  ALPNProtocols?: string[];
  minVersion?: 'TLSv1.2';
  checkServerIdentity?: (host: string, cert: PeerCertificate) => Error | undefined;
}

export interface SubscribeOptions {
  qos: QoS;
  /** MQTT 5: no local, retain as published, retain handling. */
  nl?: boolean;
  rap?: boolean;
  rh?: 0 | 1 | 2;
}

export type MessageHandler = (topic: string, payload: Buffer, packet: IPublishPacket) => void;

export interface PublishRequest {
  topic: string;
  payload: Buffer | string;
  qos: QoS;
  retain: boolean;
  properties?: IClientPublishOptions['properties'];
}

interface Subscription {
  filter: string;
  options: SubscribeOptions;
  handler: MessageHandler;
}

/** Status texts every node using a connection shows, as in Node-RED. */
export function connectionStatus(state: ConnectionState, detail?: string): NodeStatus {
  if (state === 'connected') return { fill: 'green', shape: 'dot', text: 'connected' };
  if (state === 'connecting') return { fill: 'yellow', shape: 'ring', text: 'connecting' };
  return { fill: 'red', shape: 'ring', text: detail ? `disconnected: ${detail}` : 'disconnected' };
}

/**
 * One client connection shared by every node that uses a broker config node.
 * It connects when the first node starts using it, reconnects on its own
 * (every `reconnectPeriodMs`) and re-subscribes every live subscription after
 * each connect, so a restarted broker without a persistent session still
 * delivers. Nodes see state changes through `use()`.
 */
export class MqttConnection {
  #client: MqttClient | undefined;
  #state: ConnectionState = 'disconnected';
  #lastError: string | undefined;
  #options: MqttConnectionOptions;
  readonly #subscriptions = new Set<Subscription>();
  readonly #listeners = new Set<(state: ConnectionState, detail?: string) => void>();
  readonly #onError: (message: string) => void;
  readonly #gate: BackPressureGate | undefined;

  /**
   * With `load` (the runtime's, from the node API), received messages pass a
   * back-pressure gate: reading stops while the runtime is busy.
   */
  constructor(options: MqttConnectionOptions, onError: (message: string) => void, load?: RuntimeLoad) {
    this.#options = options;
    this.#onError = onError;
    this.#gate = load
      ? new BackPressureGate(load, undefined, (held) => onError(`${options.label}: ${held} message(s) in the flows have not finished for a while; reading from the broker again anyway (a node that never completes?)`))
      : undefined;
  }

  get options(): MqttConnectionOptions {
    return this.#options;
  }

  /** Times reading stopped for back-pressure since start. */
  get backPressurePauses(): number {
    return this.#gate?.pauses ?? 0;
  }

  /** No client (never connected with autoConnect off, or after disconnect()): a connect action may connect. */
  get connectable(): boolean {
    return this.#client === undefined;
  }

  /**
   * Connect now (the `connect` action of dynamic mqtt nodes), optionally with
   * changed options first; resolves on the first successful connect, rejects
   * with the first error (the client keeps retrying).
   */
  connect(changes?: Partial<MqttConnectionOptions>): Promise<void> {
    if (changes) this.#options = { ...this.#options, ...changes };
    const client = this.#ensureClient();
    if (this.#state === 'connected') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onConnect = () => {
        client.off('error', onError);
        resolve();
      };
      const onError = (error: Error) => {
        client.off('connect', onConnect);
        reject(new Error(`Connection to ${this.#options.label} failed: ${error.message}`));
      };
      client.once('connect', onConnect);
      client.once('error', onError);
    });
  }

  /** Disconnect but keep subscriptions and listeners, so a later connect() restores them (the `disconnect` action). */
  async disconnect(): Promise<void> {
    const client = this.#client;
    if (!client) return;
    this.#client = undefined;
    this.#gate?.release();
    await this.#end(client);
    this.#lastError = undefined;
    this.#setState('disconnected');
  }

  get state(): ConnectionState {
    return this.#state;
  }

  get v5(): boolean {
    return this.options.protocolVersion === 5;
  }

  /** Follow connection state changes (called at once with the current state); returns the unsubscribe. */
  use(listener: (state: ConnectionState, detail?: string) => void): () => void {
    this.#listeners.add(listener);
    if (this.#options.autoConnect !== false) this.#ensureClient();
    listener(this.#state, this.#lastError);
    return () => this.#listeners.delete(listener);
  }

  /** Subscribe; the handler sees every message whose topic matches the filter. Returns the unsubscribe. */
  subscribe(filter: string, options: SubscribeOptions, handler: MessageHandler): () => void {
    const subscription: Subscription = { filter, options, handler };
    this.#subscriptions.add(subscription);
    const client = this.#options.autoConnect !== false ? this.#ensureClient() : this.#client;
    if (client && this.#state === 'connected') this.#sendSubscribe(client, subscription);
    return () => {
      if (!this.#subscriptions.delete(subscription)) return;
      const stillUsed = [...this.#subscriptions].some((s) => s.filter === filter);
      if (!stillUsed && this.#state === 'connected') this.#client?.unsubscribe(filter);
    };
  }

  /**
   * Publish. While disconnected, mqtt.js keeps the message in memory and sends it
   * after the next connect (Node-RED's behaviour); `requireConnected` refuses
   * instead, for callers that keep their own durable queue.
   */
  publish(request: PublishRequest, requireConnected = false): Promise<void> {
    return new Promise((resolve, reject) => this.publishThen(request, (error) => (error ? reject(error) : resolve()), requireConnected));
  }

  /**
   * publish() with a callback (called once, possibly at once with an error):
   * the per-message path of `mqtt out`, which then needs no promise of its own.
   */
  publishThen(request: PublishRequest, callback: (error?: Error) => void, requireConnected = false): void {
    if (!this.#client && this.#options.autoConnect === false) {
      callback(new Error(`Not connected to ${this.#options.label}: autoConnect is off; send a message with action "connect" first`));
      return;
    }
    const client = this.#ensureClient();
    if (requireConnected && this.#state !== 'connected') {
      callback(new Error(`Not connected to ${this.#options.label}`));
      return;
    }
    const options: IClientPublishOptions = { qos: request.qos, retain: request.retain };
    if (this.v5 && request.properties) options.properties = request.properties;
    client.publish(request.topic, request.payload, options, (error) => (error ? callback(new Error(`Publish to "${request.topic}" on ${this.#options.label} failed: ${error.message}`)) : callback()));
  }

  /** Send the close message (if any) and disconnect; subscriptions and listeners are dropped. */
  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    this.#listeners.clear();
    this.#subscriptions.clear();
    this.#gate?.release();
    if (client) await this.#end(client);
  }

  async #end(client: MqttClient): Promise<void> {
    const closeMessage = this.#options.close;
    if (closeMessage && client.connected) {
      await new Promise<void>((resolve) => client.publish(closeMessage.topic, closeMessage.payload, { qos: closeMessage.qos, retain: closeMessage.retain }, () => resolve()));
    }
    // Errors after this point (a late socket error) concern nobody; mqtt.js's own
    // listeners stay, as they clear its timers when the socket closes.
    client.on('error', () => {});
    await new Promise<void>((resolve) => client.end(!client.connected, {}, () => resolve()));
  }

  #ensureClient(): MqttClient {
    if (this.#client) return this.#client;
    const o = this.#options;
    const clientOptions: IClientOptions = {
      clientId: o.clientId,
      protocolVersion: o.protocolVersion,
      keepalive: o.keepalive,
      clean: o.clean,
      reconnectPeriod: o.reconnectPeriodMs,
      connectTimeout: 10_000,
      // We re-subscribe ourselves after every connect, so the set is always the live one.
      resubscribe: false,
      // mqtt.js traces every packet through `debug`, whose rest-argument call
      // allocates even when tracing is off (a measurable share of the garbage
      // per message under load); keep it only when someone asked for it.
      ...(MQTTJS_TRACING ? {} : { log: silent }),
      ...(o.username ? { username: o.username } : {}),
      ...(o.password ? { password: o.password } : {}),
      ...(o.will ? { will: { topic: o.will.topic, payload: Buffer.from(o.will.payload), qos: o.will.qos, retain: o.will.retain } } : {}),
      ...(o.protocolVersion === 5 && o.sessionExpiry ? { properties: { sessionExpiryInterval: o.sessionExpiry } } : {}),
    };
    const tls = o.resolveTls ? o.resolveTls() : o.tls;
    if (tls) Object.assign(clientOptions, tls);
    this.#setState('connecting');
    const client = loadMqtt().connect(o.url, clientOptions);
    this.#client = client;
    sendWithoutDelay(client);
    client.on('connect', (connack) => {
      // A reconnect builds a new socket.
      sendWithoutDelay(client);
      this.#lastError = undefined;
      this.#setState('connected');
      if (!connack.sessionPresent || o.clean) for (const s of this.#subscriptions) this.#sendSubscribe(client, s);
      if (o.birth) client.publish(o.birth.topic, o.birth.payload, { qos: o.birth.qos, retain: o.birth.retain });
    });
    client.on('reconnect', () => {
      if (this.#client === client) this.#setState('connecting');
    });
    client.on('close', () => {
      if (this.#client === client) this.#setState('disconnected', this.#lastError);
    });
    client.on('error', (error) => {
      if (this.#client !== client) return;
      const text = `Connection to ${o.label} failed: ${error.message}`;
      if (text !== this.#lastError) this.#onError(`${text}. Retrying every ${o.reconnectPeriodMs} ms; check the broker address, port, TLS and credentials.`);
      this.#lastError = text;
    });
    client.on('message', (topic, payload, packet) => {
      for (const s of this.#subscriptions) if (topicMatches(s.filter, topic)) s.handler(topic, payload, packet);
    });
    const gate = this.#gate;
    // mqtt.js parses the next packet only after this callback (see BackPressureGate).
    if (gate) client.handleMessage = (_packet, callback) => gate.whenReady(() => callback());
    return client;
  }

  #sendSubscribe(client: MqttClient, s: Subscription): void {
    const opts = this.v5 ? { qos: s.options.qos, nl: s.options.nl ?? false, rap: s.options.rap ?? true, rh: s.options.rh ?? 0 } : { qos: s.options.qos };
    client.subscribe(s.filter, opts, (error, granted) => {
      const refused = granted?.find((g) => g.qos === 128);
      if (error || refused) this.#onError(`Subscription to "${s.filter}" on ${this.#options.label} was refused${error ? `: ${error.message}` : ' by the broker'}; check the topic and the broker's access rules.`);
    });
  }

  #setState(state: ConnectionState, detail?: string): void {
    this.#state = state;
    for (const listener of this.#listeners) listener(state, detail);
  }
}

// mqtt.js is required on the first connection, not at import: with its packet
// library's cache of encoded numbers it costs several MB in a LoopEdge whose
// flows use no MQTT. (CommonJS, so a synchronous require keeps connect() sync.)
let mqttModule: typeof import('mqtt') | undefined;
function loadMqtt(): typeof import('mqtt') {
  if (!mqttModule) loadMqttPacketQuietly();
  mqttModule ??= createRequire(import.meta.url)('mqtt') as typeof import('mqtt');
  return mqttModule;
}

/** True when DEBUG asks for mqtt.js's own trace (`DEBUG=mqttjs*`). */
const MQTTJS_TRACING = /(^|[\s,])(mqttjs|\*)/.test(process.env.DEBUG ?? '');

function silent(): void {}

/**
 * Turn Nagle's algorithm off on the broker socket (TCP or TLS): a flow sends
 * many small publishes, and Nagle holds each one back until the previous
 * segment is acknowledged, which with delayed ACKs adds tens of milliseconds
 * to the latency of whatever is sent next.
 */
function sendWithoutDelay(client: MqttClient): void {
  const stream = client.stream as { setNoDelay?: (noDelay: boolean) => unknown } | undefined;
  stream?.setNoDelay?.(true);
}
