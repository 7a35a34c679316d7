import { Counter, Gauge, Registry, collectDefaultMetrics, type Metric } from 'prom-client';
import { PROCESSING_TIME_BUCKETS_MS, type NodeCounterSnapshot, type Runtime } from '@loopedge/runtime';
import { registerAlertingMetrics } from './alerting-metrics.js';

const NODE_LABELS = ['flow', 'node', 'type'] as const;
type NodeLabels = Record<(typeof NODE_LABELS)[number], string>;

/**
 * The `/metrics` registry: Node's process figures plus the engine's per-node
 * counters, labelled by flow (tab id) and node id. Node counters are read from
 * the runtime at scrape time, so the hot message path pays nothing for them.
 *
 * Processing time (a message reaching the node until its done()) is a
 * histogram per node, from the engine's fixed buckets. Notifier and open-alert
 * figures come from alerting-metrics.ts.
 */
export class ServerMetrics {
  readonly registry = new Registry();

  constructor(runtime: Runtime) {
    collectDefaultMetrics({ register: this.registry, prefix: 'loopedge_' });
    let snapshot: NodeCounterSnapshot[] = [];
    const refresh = (): NodeCounterSnapshot[] => {
      snapshot = runtime.nodeCounters();
      return snapshot;
    };
    const labelsOf = (node: NodeCounterSnapshot): NodeLabels => ({ flow: node.z, node: node.id, type: node.type });
    const counter = (name: string, help: string, value: (node: NodeCounterSnapshot) => number, first = false): void => {
      new Counter({
        name,
        help,
        labelNames: NODE_LABELS,
        registers: [this.registry],
        collect() {
          // One snapshot per scrape: the first collector takes it, the others reuse it.
          const nodes = first ? refresh() : snapshot;
          this.reset();
          for (const node of nodes) this.inc(labelsOf(node), value(node));
        },
      });
    };
    counter('loopedge_node_messages_in_total', 'Messages delivered to the node\'s input.', (n) => n.messagesIn, true);
    counter('loopedge_node_messages_out_total', 'Messages the node sent (one per receiving wire).', (n) => n.messagesOut);
    counter('loopedge_node_errors_total', 'Errors the node reported (thrown, rejected or done(err)).', (n) => n.errors);
    this.registry.registerMetric(processingHistogram(() => snapshot, labelsOf));
    new Gauge({
      name: 'loopedge_node_queue_depth',
      help: 'Messages waiting for the node\'s input.',
      labelNames: NODE_LABELS,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const node of snapshot) this.set(labelsOf(node), node.queueDepth);
      },
    });
    new Gauge({
      name: 'loopedge_runtime_pending_messages',
      help: 'Messages waiting in the runtime\'s delivery queue.',
      registers: [this.registry],
      collect() {
        this.set(runtime.pendingMessages);
      },
    });
    registerAlertingMetrics(this.registry, runtime, runtime.options.host?.alerts);
  }

  /** The Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/**
 * A Prometheus histogram filled from the engine's own bucket counts at scrape
 * time (prom-client's Histogram only records observations one by one, which
 * would put the metrics library on the message path).
 */
function processingHistogram(nodes: () => NodeCounterSnapshot[], labelsOf: (node: NodeCounterSnapshot) => NodeLabels): Metric {
  const name = 'loopedge_node_processing_seconds';
  const metric = {
    name,
    help: 'Time from a message reaching the node to the node finishing with it (done).',
    type: 'histogram',
    aggregator: 'sum',
    get() {
      const values: Array<{ metricName: string; labels: Record<string, string | number>; value: number }> = [];
      for (const node of nodes()) {
        const labels = labelsOf(node);
        let cumulative = 0;
        PROCESSING_TIME_BUCKETS_MS.forEach((boundMs, i) => {
          cumulative += node.processingHistogram[i] ?? 0;
          values.push({ metricName: `${name}_bucket`, labels: { ...labels, le: boundMs / 1000 }, value: cumulative });
        });
        cumulative += node.processingHistogram[PROCESSING_TIME_BUCKETS_MS.length] ?? 0;
        values.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: cumulative });
        values.push({ metricName: `${name}_sum`, labels, value: node.processingMs / 1000 });
        values.push({ metricName: `${name}_count`, labels, value: cumulative });
      }
      return { name, help: metric.help, type: 'histogram', aggregator: 'sum', values };
    },
    reset() {},
  };
  // prom-client renders any registered object with get(); its Metric type only names its own classes.
  return metric as unknown as Metric;
}
