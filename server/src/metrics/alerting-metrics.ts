import { Counter, Gauge, type Registry } from 'prom-client';
import { ALERT_SEVERITIES, type AlertService, type Runtime } from '@loopedge/runtime';

/**
 * What a notifier config node (notify-email, notify-webhook, notify-mqtt)
 * exposes as its api, as far as metrics read it. Declared here by shape: the
 * nodes package exports only its registry, and any node whose api looks like
 * this is counted, so a notifier added later needs no change here.
 */
export interface NotifierMetricsView {
  readonly kind: 'notifier';
  readonly counters: { readonly delivered: number; readonly failed: number; readonly summarized: number; readonly summaries: number };
  readonly queued: number;
}

export interface RunningNotifier {
  id: string;
  type: string;
  view: NotifierMetricsView;
}

function isNotifierView(api: unknown): api is NotifierMetricsView {
  if (typeof api !== 'object' || api === null) return false;
  const candidate = api as { kind?: unknown; counters?: unknown; queued?: unknown };
  return candidate.kind === 'notifier' && typeof candidate.counters === 'object' && candidate.counters !== null && typeof candidate.queued === 'number';
}

/**
 * The notifiers running now. Found through the deployed document (notifiers
 * are config nodes, the runtime keys running nodes by the same id), so a
 * redeployed notifier is read from its new instance and a removed one
 * disappears from the next scrape. Counters start at 0 when a notifier is
 * redeployed, which Prometheus' rate() treats as a counter reset.
 */
export function runningNotifiers(runtime: Runtime): RunningNotifier[] {
  const found: RunningNotifier[] = [];
  for (const item of runtime.flows) {
    const node = runtime.node(item.id);
    const api: unknown = node?.closed === false ? node.handlers.api : undefined;
    if (node && isNotifierView(api)) found.push({ id: node.id, type: node.type, view: api });
  }
  return found;
}

const NOTIFIER_LABELS = ['notifier', 'type'] as const;
const OUTCOMES = ['delivered', 'failed', 'summarized'] as const;
const OPEN_STATES = ['active', 'acknowledged'] as const;

/**
 * Alerting figures on `/metrics`, read at scrape time from the running
 * notifier nodes and the alert store (nothing is counted on the alert path):
 * - `loopedge_notifications_total{notifier,type,outcome}`: delivered (each
 *   delivery, a summary counting once), failed (attempts, each retried later),
 *   summarized (notifications folded into a storm summary);
 * - `loopedge_notification_summaries_total{notifier,type}`: storm summaries sent;
 * - `loopedge_notifier_queue{notifier,type}`: notifications waiting (held by
 *   the storm limit or a channel that is down);
 * - `loopedge_alerts_open{severity}`: open alerts (active or acknowledged),
 *   every severity present so a dashboard sees 0 rather than no data.
 */
export function registerAlertingMetrics(registry: Registry, runtime: Runtime, alerts: AlertService | undefined): void {
  new Counter({
    name: 'loopedge_notifications_total',
    help: 'Alert notifications per notifier config node, by outcome: delivered (a summary counts once), failed (attempts, retried with back-off), summarized (folded into a storm summary).',
    labelNames: [...NOTIFIER_LABELS, 'outcome'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { id, type, view } of runningNotifiers(runtime)) {
        for (const outcome of OUTCOMES) this.inc({ notifier: id, type, outcome }, view.counters[outcome]);
      }
    },
  });
  new Counter({
    name: 'loopedge_notification_summaries_total',
    help: 'Storm summaries a notifier sent in place of the notifications its per-minute limit held back.',
    labelNames: NOTIFIER_LABELS,
    registers: [registry],
    collect() {
      this.reset();
      for (const { id, type, view } of runningNotifiers(runtime)) this.inc({ notifier: id, type }, view.counters.summaries);
    },
  });
  new Gauge({
    name: 'loopedge_notifier_queue',
    help: 'Notifications waiting in a notifier\'s queue (held by the storm limit, or the channel is down and being retried).',
    labelNames: NOTIFIER_LABELS,
    registers: [registry],
    collect() {
      this.reset();
      for (const { id, type, view } of runningNotifiers(runtime)) this.set({ notifier: id, type }, view.queued);
    },
  });
  if (!alerts) return;
  new Gauge({
    name: 'loopedge_alerts_open',
    help: 'Open alerts (active or acknowledged) by severity.',
    labelNames: ['severity'],
    registers: [registry],
    collect() {
      // Counts only (limit 0): after a storm thousands of alerts may be open, and a scrape must not read them all.
      for (const severity of ALERT_SEVERITIES) {
        const count = OPEN_STATES.reduce((sum, state) => sum + alerts.query({ state, severity, limit: 0 }).total, 0);
        this.set({ severity }, count);
      }
    },
  });
}
