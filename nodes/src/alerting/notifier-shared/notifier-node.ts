import { NumberLike, type NodeApi, type NodeHandlers } from '@loopedge/runtime';
import type { AlertNotification, NotifierApi } from '../shared/alert-notification.js';
import { NotificationQueue } from './notification-queue.js';
import { NotifierDispatcher, type NotifierChannel, type NotifierCounters } from './notifier-dispatcher.js';

/** Properties every notifier has: storm limit and back-off. Spread into each notifier's config schema. */
export const notifierProperties = {
  maxPerMinute: NumberLike(10, 'Storm protection: at most this many notifications per minute on this channel; the rest are summarized in one message'),
  retryInitialSeconds: NumberLike(5, 'First retry this many seconds after a failed delivery; the delay doubles on each failure'),
  retryMaxSeconds: NumberLike(300, 'Longest delay between retries, in seconds'),
};

export interface NotifierSettings {
  maxPerMinute: number | string;
  retryInitialSeconds: number | string;
  retryMaxSeconds: number | string;
}

/** What a notifier config node exposes: the alert node's contract plus counters and the queue size, for status pages and tests. */
export interface NotifierService extends NotifierApi {
  readonly counters: Readonly<NotifierCounters>;
  readonly queued: number;
  readonly lastError: string | undefined;
  /** Retry at once instead of after the back-off. */
  retryNow(): void;
}

function positive(node: NodeApi, field: string, value: number | string, integer: boolean): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new Error(`${node.type} ${node.id}: property "${field}" must be a ${integer ? 'whole ' : ''}number greater than 0, not "${value}"`);
  }
  return n;
}

/**
 * The shared half of every notifier config node: a durable queue under the
 * data folder, the dispatcher (storm limit, back-off), and the `NotifierApi`
 * handed to alert nodes. Each notifier only supplies its channel.
 */
export function startNotifier(node: NodeApi, settings: NotifierSettings, channel: NotifierChannel, closeChannel?: () => void | Promise<void>): NodeHandlers<NotifierService> & { dispatcher: NotifierDispatcher } {
  const maxPerMinute = positive(node, 'maxPerMinute', settings.maxPerMinute, true);
  const initialMs = positive(node, 'retryInitialSeconds', settings.retryInitialSeconds, false) * 1000;
  const maxMs = Math.max(initialMs, positive(node, 'retryMaxSeconds', settings.retryMaxSeconds, false) * 1000);
  const dataDir = typeof node.settings.dataDir === 'string' && node.settings.dataDir ? node.settings.dataDir : undefined;
  if (!dataDir) node.warn(`${node.type} ${node.id}: no data folder (runtime setting "dataDir"): pending notifications are kept in memory only and are lost on a restart`);
  const queue = new NotificationQueue(NotificationQueue.fileFor(dataDir, node.type, node.id));
  const dispatcher = new NotifierDispatcher(node, queue, channel, { maxPerMinute, backoff: { initialMs, maxMs } });
  const api: NotifierService = {
    kind: 'notifier',
    notify: (notification: AlertNotification) => dispatcher.enqueue(notification),
    get counters() {
      return dispatcher.counters;
    },
    get queued() {
      return dispatcher.queued;
    },
    get lastError() {
      return dispatcher.lastError;
    },
    retryNow: () => dispatcher.retryNow(),
  };
  return {
    api,
    dispatcher,
    async close() {
      await dispatcher.close();
      await closeChannel?.();
    },
  };
}
