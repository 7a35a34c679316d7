import {
  AttributeIds,
  ClientMonitoredItem,
  DataChangeFilter,
  DataChangeTrigger,
  DeadbandType,
  TimestampsToReturn,
  type ClientSession,
  type ClientSubscription,
  type DataValue,
} from 'node-opcua-client';
import { sampleOf, type OpcuaSample } from './values.js';

export interface MonitorRequest {
  nodeIds: readonly string[];
  /** Sampling and publishing interval, ms. */
  samplingInterval: number;
  queueSize: number;
  deadband: { type: 'none' | 'absolute' | 'percent'; value: number };
}

export interface MonitorListener {
  onSample(sample: OpcuaSample): void;
  /** A monitored item the server refused (unknown node, deadband not supported ...). */
  onItemError(nodeId: string, message: string): void;
  /** The watchdog found the subscription silent and is recreating it. */
  onRecreate(reason: string): void;
}

/** Keep-alives the server owes us before the watchdog calls a subscription silent. */
const MAX_KEEP_ALIVE_COUNT = 10;
const WATCHDOG_MARGIN = 3;

/**
 * One subscription on the current session for one opcua-in node. The
 * connection calls start() after every (re)connect, so subscriptions come back
 * after a server restart; the watchdog recreates one that stops publishing
 * (keep-alives lost, subscription dropped by the server) while the session lives.
 */
export class SubscriptionMonitor {
  #subscription: ClientSubscription | undefined;
  #session: ClientSession | undefined;
  #watchdog: NodeJS.Timeout | undefined;
  #lastSeen = 0;
  #starting: Promise<void> | undefined;

  constructor(
    readonly request: MonitorRequest,
    private readonly listener: MonitorListener,
  ) {}

  /** Creates the subscription and its monitored items on this session (once per session). */
  async start(session: ClientSession): Promise<void> {
    if (this.#session === session && (this.#subscription || this.#starting)) return;
    this.#session = session;
    this.#armWatchdog();
    this.#starting = this.#create(session);
    try {
      await this.#starting;
    } finally {
      this.#starting = undefined;
    }
  }

  async #create(session: ClientSession): Promise<void> {
    const subscription = await session.createSubscription2({
      requestedPublishingInterval: this.request.samplingInterval,
      requestedLifetimeCount: MAX_KEEP_ALIVE_COUNT * 6,
      requestedMaxKeepAliveCount: MAX_KEEP_ALIVE_COUNT,
      maxNotificationsPerPublish: 1000,
      publishingEnabled: true,
      priority: 1,
    });
    if (this.#session !== session) {
      // Detached while the server answered: do not leak the subscription.
      await subscription.terminate().catch(() => undefined);
      return;
    }
    this.#subscription = subscription;
    this.#touch();
    subscription.on('keepalive', () => this.#touch());
    subscription.on('received_notifications', () => this.#touch());
    subscription.on('terminated', () => {
      if (this.#subscription === subscription) this.#recreate('the server terminated the subscription');
    });
    for (const nodeId of this.request.nodeIds) this.#monitorItem(subscription, nodeId);
  }

  #monitorItem(subscription: ClientSubscription, nodeId: string): void {
    const item = ClientMonitoredItem.create(
      subscription,
      { nodeId, attributeId: AttributeIds.Value },
      { samplingInterval: this.request.samplingInterval, queueSize: this.request.queueSize, discardOldest: true, filter: this.#filter() },
      TimestampsToReturn.Both,
    );
    item.on('changed', (dataValue: DataValue) => {
      this.#touch();
      this.listener.onSample(sampleOf(nodeId, dataValue));
    });
    item.on('err', (message: string) => this.listener.onItemError(nodeId, message));
  }

  #filter(): DataChangeFilter | null {
    const { type, value } = this.request.deadband;
    if (type === 'none') return null;
    return new DataChangeFilter({
      trigger: DataChangeTrigger.StatusValue,
      deadbandType: type === 'absolute' ? DeadbandType.Absolute : DeadbandType.Percent,
      deadbandValue: value,
    });
  }

  #touch(): void {
    this.#lastSeen = Date.now();
  }

  /**
   * One timer per monitor while it has a session: recreates a subscription that
   * stopped publishing, or one whose last (re)creation failed.
   */
  #armWatchdog(): void {
    if (this.#watchdog) return;
    this.#watchdog = setInterval(() => {
      const subscription = this.#subscription;
      if (this.#starting || !this.#session) return;
      if (!subscription) {
        this.#recreate('the last attempt to create it failed');
        return;
      }
      // The server must publish data or a keep-alive every publishingInterval × maxKeepAliveCount.
      const silentAfter = subscription.publishingInterval * subscription.maxKeepAliveCount * WATCHDOG_MARGIN;
      if (Date.now() - this.#lastSeen > silentAfter) this.#recreate(`no data or keep-alive for ${(silentAfter / 1000).toFixed(1)} s`);
    }, Math.max(500, (this.request.samplingInterval * MAX_KEEP_ALIVE_COUNT * WATCHDOG_MARGIN) / 4));
    this.#watchdog.unref();
  }

  #recreate(reason: string): void {
    const session = this.#session;
    const old = this.#subscription;
    if (!session || this.#starting) return;
    this.listener.onRecreate(reason);
    this.#subscription = undefined;
    void old?.terminate().catch(() => undefined);
    this.#starting = this.#create(session).finally(() => {
      this.#starting = undefined;
    });
    this.#starting.catch((err: unknown) => {
      this.listener.onItemError(this.request.nodeIds.join(', '), `could not recreate the subscription: ${(err as Error).message}`);
    });
  }

  /** The session is gone (connection lost): forget it without talking to the server. */
  detach(): void {
    clearInterval(this.#watchdog);
    this.#watchdog = undefined;
    this.#subscription = undefined;
    this.#session = undefined;
  }

  /** The node is closing: delete the subscription on the server if the session still lives. */
  async stop(): Promise<void> {
    const subscription = this.#subscription;
    this.detach();
    await subscription?.terminate().catch(() => undefined);
  }
}
