/**
 * Alerts under a storm, in a LoopEdge server (alert node → SQLite alert store):
 * 1. storm: many machines' temperatures swing across the threshold and back;
 *    every swing is a transition (raised, then cleared) written to SQLite and
 *    announced: transitions per second, and the proof of deduplication (each
 *    machine's burst of high values raised exactly once per swing);
 * 2. latency: on a quiet system, from a high value entering the flow to the
 *    alert's transition message leaving the alert node (where notifiers are
 *    told): median and p99. Node-RED has no alert node in core: n/a.
 */
import { runIfMain, isQuickMode, type Benchmark, type BenchmarkOutcome } from './benchmark.js';
import { formatNumber, formatTable, median } from './report.js';
import { feed, startBenchServer } from './rules-bench-server.js';

const MACHINES = 200;
/** Per swing and machine: this many high values (one alert), then one low value (clear). */
const HIGH_PER_SWING = 4;

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export async function runAlertStorm(): Promise<BenchmarkOutcome> {
  const quick = isQuickMode();
  const swings = quick ? 5 : 25;
  const server = await startBenchServer([
    { id: 't1', type: 'tab', label: 'alert storm' },
    { id: 'alert', type: 'alert', z: 't1', condition: 'above', threshold: '80', clearBelow: '70', severity: 'major', key: 'machine-{{topic}}', title: '{{topic}} hot', message: '{{payload}} °C', wires: [['count']] },
    { id: 'count', type: 'bench-count', z: 't1', wires: [] },
  ]);
  try {
    const alerts = server.runtime.options.host!.alerts!;
    // 1. Storm: each swing sends HIGH_PER_SWING high values to every machine, then a low one.
    const perSwing = MACHINES * (HIGH_PER_SWING + 1);
    const messages = swings * perSwing;
    const started = performance.now();
    await feed(server.runtime, 'alert', messages, (i) => {
      const inSwing = i % perSwing;
      const step = Math.floor(inSwing / MACHINES);
      return { topic: `m${inSwing % MACHINES}`, payload: step < HIGH_PER_SWING ? 90 + step : 50 };
    });
    const transitions = swings * MACHINES * 2;
    await server.waitForCount(transitions, 300_000);
    const seconds = (performance.now() - started) / 1000;
    const raised = alerts.query({ limit: 1 }).total;
    const duplicates = raised - swings * MACHINES;

    // 2. Latency, one alert at a time on a quiet system.
    const samples: number[] = [];
    for (let i = 0; i < (quick ? 50 : 200); i++) {
      const before = server.arrivals.count;
      const sent = performance.now();
      server.runtime.receive('alert', { topic: 'latency', payload: 95 });
      await server.waitForCount(before + 1);
      samples.push(server.arrivals.lastAt - sent);
      server.runtime.receive('alert', { topic: 'latency', payload: 10 });
      await server.waitForCount(before + 2);
    }
    const table = formatTable(
      `Alert storm: ${MACHINES} machines × ${swings} swings (${HIGH_PER_SWING} high values then 1 low each), alert node → SQLite (WAL) store`,
      ['what', 'value'],
      [
        ['messages into the alert node', formatNumber(messages)],
        ['transitions (raised + cleared), stored and announced', formatNumber(transitions)],
        ['messages/s', formatNumber(messages / seconds)],
        ['alert transitions/s', formatNumber(transitions / seconds)],
        ['alerts raised / expected (duplicates)', `${formatNumber(raised)} / ${formatNumber(swings * MACHINES)} (${duplicates})`],
        ['raise latency, message in → transition out, median ms', formatNumber(median(samples), 2)],
        ['raise latency p99 ms', formatNumber(percentile(samples, 99), 2)],
        ['Node-RED', 'n/a (no alert node in core)'],
      ],
    );
    return {
      report: table,
      summary: `${formatNumber(transitions / seconds)} alert transitions/s under a storm, ${duplicates} duplicates, raise latency median ${formatNumber(median(samples), 2)} ms`,
      // The storm's requirement is correctness (no duplicates); speed is reported, not judged.
      targetMet: duplicates === 0,
      results: { machines: MACHINES, swings, messages, transitions, messagesPerSec: messages / seconds, transitionsPerSec: transitions / seconds, duplicates, latencyMedianMs: median(samples), latencyP99Ms: percentile(samples, 99) },
    };
  } finally {
    await server.stop();
  }
}

export const alertStormBenchmark: Benchmark = {
  name: 'rules-alert-storm',
  description: 'alert node under a storm: transitions/s into SQLite, duplicates (must be 0), raise latency',
  run: runAlertStorm,
};

runIfMain(import.meta.url, alertStormBenchmark);
