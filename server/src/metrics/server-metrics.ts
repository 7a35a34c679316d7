import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { NodeCounterSnapshot, Runtime } from '@loopedge/runtime';

const NODE_LABELS = ['flow', 'node', 'type'] as const;
type NodeLabels = Record<(typeof NODE_LABELS)[number], string>;

/**
 * The `/metrics` registry: Node's process figures plus the engine's per-node
 * counters, labelled by flow (tab id) and node id. Node counters are read from
 * the runtime at scrape time, so the hot message path pays nothing for them.
 *
 * Processing time is exported as a running total (`_seconds_total`) beside
 * messages in: rate(total) / rate(messages_in) gives the mean time per message.
 * A per-message histogram needs a completion hook on the message path, which
 * the runtime does not offer yet.
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
    counter('loopedge_node_processing_seconds_total', 'Time spent in the node\'s input handler.', (n) => n.processingMs / 1000);
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
  }

  /** The Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
