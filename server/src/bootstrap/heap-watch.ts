// Early warning before the engine's heap limit (engine-heap.ts) ends the
// process: after each full garbage collection, when what is still live passes
// a share of the limit, a system alert is raised (once, until it is cleared)
// and logged; it clears itself when live data falls well below again. A flow
// that keeps growing its context, or a join/batch node that never completes,
// shows up here days before the process would stop.
import { getHeapStatistics } from 'node:v8';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import type { AlertService, Logger } from '@loopedge/runtime';

export const HEAP_ALERT_KEY = 'system:memory:heap';
/** Live share of the heap limit that raises the alert. */
export const HEAP_ALERT_RAISE = 0.75;
/** Live share under which an open alert clears (lower than RAISE, so it does not flap). */
export const HEAP_ALERT_CLEAR = 0.6;

export interface HeapReading {
  /** Bytes in use right after a full collection: what is live. */
  usedBytes: number;
  limitBytes: number;
}

const MB = 1024 * 1024;

/** The decision, separate from V8 so it can be tested with any numbers. */
export class HeapWatch {
  constructor(
    private readonly alerts: AlertService,
    private readonly logger: Logger,
  ) {}

  check({ usedBytes, limitBytes }: HeapReading): void {
    const share = usedBytes / limitBytes;
    const used = Math.round(usedBytes / MB);
    const limit = Math.round(limitBytes / MB);
    if (share >= HEAP_ALERT_RAISE) {
      const { created } = this.alerts.raise({
        key: HEAP_ALERT_KEY,
        severity: 'major',
        title: 'LoopEdge is close to its memory limit',
        message:
          `After a full garbage collection ${used} MB are still in use, ${Math.round(share * 100)}% of the heap limit of ${limit} MB. ` +
          'At the limit the process stops and is restarted, and messages in flight are lost. Look for flows that keep growing data ' +
          '(context values, join or batch nodes that never complete), or raise LOOPEDGE_MAX_HEAP_MB.',
        source: { nodeId: 'loopedge', flowId: '', name: 'LoopEdge runtime' },
        value: { usedMB: used, limitMB: limit },
      });
      if (created) this.logger.warn({ usedMB: used, limitMB: limit }, 'Live heap above 75% of the heap limit: alert raised');
    } else if (share < HEAP_ALERT_CLEAR) {
      if (this.alerts.clearKey(HEAP_ALERT_KEY, 'system', { usedMB: used, limitMB: limit })) {
        this.logger.info({ usedMB: used, limitMB: limit }, 'Live heap back under 60% of the heap limit: alert cleared');
      }
    }
  }
}

/** Watch this process's full collections; returns the function that stops watching. */
export function watchHeap(alerts: AlertService, logger: Logger): () => void {
  const watch = new HeapWatch(alerts, logger);
  const observer = new PerformanceObserver((list) => {
    const major = list.getEntries().some((entry) => (entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR);
    if (!major) return;
    const stats = getHeapStatistics();
    try {
      watch.check({ usedBytes: stats.used_heap_size, limitBytes: stats.heap_size_limit });
    } catch (error) {
      logger.error({ err: error }, 'The heap watch could not record its alert');
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => observer.disconnect();
}
