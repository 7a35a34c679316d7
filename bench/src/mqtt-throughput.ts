/**
 * Black-box MQTT benchmark (issue 7): Debian's Mosquitto, an external mqtt.js
 * load generator (its own process) and each engine started from its CLI with
 * the same flow file: mqtt in → json → function → switch → change → mqtt out,
 * QoS 0, every message checked at the receiver. Engines run one after the
 * other against a fresh broker, so neither shares the cores with the other.
 *
 *   closed loop   throughput with at most 1,000 messages in flight   target ≥ 1.5× Node-RED
 *   flood         200,000 sent as fast as possible                  target ≥ 2×, LoopEdge peak RSS ≤ 150 MB, losses counted
 *   latency       p50/p99 at 1,000 and 5,000 msg/s                  target p99 at 5,000 ≤ half of Node-RED's
 *   memory        idle and peak RSS (main process; and with child processes)
 *
 * Each engine first gets an unreported warm-up round (see phases()).
 */
import { runIfMain, isQuickMode, type Benchmark, type BenchmarkOutcome } from './benchmark.js';
import { runInChild } from './child-process.js';
import { mqttBenchFlow } from './mqtt-bench-flow.js';
import { MqttEngineProcess, MQTT_ENGINE_LABELS, type MqttEngineName, type RssSample } from './mqtt-engine-process.js';
import type { LoadPhase, PhaseResult } from './mqtt-load-generator.js';
import { BenchMosquitto } from './mqtt-mosquitto.js';
import { formatNumber, formatTable, metText, ratioText } from './report.js';

export const MQTT_THROUGHPUT_TARGET = 1.5;
export const MQTT_FLOOD_TARGET = 2;
export const MQTT_FLOOD_RSS_LIMIT_MB = 150;
export const MQTT_P99_TARGET = 0.5;

interface EngineRun {
  engine: MqttEngineName;
  idle?: RssSample;
  peak?: RssSample;
  /** Peak during the flood alone. */
  floodPeak?: RssSample;
  phases: Record<string, PhaseResult>;
  error?: string;
}

/**
 * A warm-up round first, the same for both engines and not reported: both
 * are JIT-compiled JavaScript, and a plant runs them for months, not for
 * their first seconds (measured cold, the first closed-loop round of either engine came out
 * 5–10% below the same round run again).
 */
function phases(quick: boolean): Array<{ name: string; phase: LoadPhase }> {
  return [
    { name: 'warm-up', phase: { kind: 'closed-loop', messages: quick ? 5_000 : 30_000, maxInFlight: 1_000 } },
    { name: 'closed-loop', phase: { kind: 'closed-loop', messages: quick ? 10_000 : 100_000, maxInFlight: 1_000 } },
    { name: 'rate-1000', phase: { kind: 'rate', perSecond: 1_000, seconds: quick ? 2 : 10 } },
    { name: 'rate-5000', phase: { kind: 'rate', perSecond: 5_000, seconds: quick ? 2 : 10 } },
    { name: 'flood', phase: { kind: 'flood', messages: quick ? 20_000 : 200_000 } },
  ];
}

async function generate(url: string, phase: LoadPhase): Promise<PhaseResult> {
  return runInChild<PhaseResult>('./mqtt-load-generator.js', [url, JSON.stringify(phase)], 600_000);
}

async function measureEngine(engine: MqttEngineName, quick: boolean): Promise<EngineRun> {
  const run: EngineRun = { engine, phases: {} };
  const broker = new BenchMosquitto();
  const process = new MqttEngineProcess(engine);
  try {
    await broker.start();
    await process.start(mqttBenchFlow(broker.port));
    await generate(broker.url, { kind: 'probe', timeoutMs: 60_000 });
    // Idle: flows running and connected, no load, after a moment to settle.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    run.idle = process.rss();
    process.resetPeak();
    for (const { name, phase } of phases(quick)) {
      if (name === 'flood') {
        const before = process.peak;
        process.resetPeak();
        run.phases[name] = await generate(broker.url, phase);
        run.floodPeak = process.peak;
        process.peak = { mainMiB: Math.max(before.mainMiB, process.peak.mainMiB), treeMiB: Math.max(before.treeMiB, process.peak.treeMiB) };
      } else {
        run.phases[name] = await generate(broker.url, phase);
      }
      if (!process.running) throw new Error(`${MQTT_ENGINE_LABELS[engine]} exited during ${name}:\n${process.output}`);
    }
    run.peak = process.peak;
  } catch (error) {
    run.error = `${error instanceof Error ? error.message : String(error)}\n${process.output}`;
  } finally {
    await process.stop();
    await broker.stop();
  }
  return run;
}

const ratio = (ours: number | undefined, theirs: number | undefined): number | undefined => (ours !== undefined && theirs !== undefined && theirs > 0 ? ours / theirs : undefined);

export async function runMqttThroughput(): Promise<BenchmarkOutcome> {
  const quick = isQuickMode();
  const loopEdge = await measureEngine('loopedge', quick);
  const nodeRed = await measureEngine('node-red', quick);
  const le = loopEdge.phases;
  const nr = nodeRed.phases;
  const closedRatio = ratio(le['closed-loop']?.msgPerSec, nr['closed-loop']?.msgPerSec);
  const floodRatio = ratio(le.flood?.msgPerSec, nr.flood?.msgPerSec);
  const p99Ratio = ratio(le['rate-5000']?.p99Ms, nr['rate-5000']?.p99Ms);
  const floodRss = loopEdge.floodPeak?.mainMiB !== undefined ? loopEdge.floodPeak.mainMiB * 1.048576 : undefined; // MiB → MB
  const judge = (value: number | undefined, ok: (v: number) => boolean) => (value === undefined ? undefined : ok(value));
  const targets = {
    closedLoop: judge(closedRatio, (r) => r >= MQTT_THROUGHPUT_TARGET && (le['closed-loop']?.lost ?? 1) === 0),
    flood: judge(floodRatio, (r) => r >= MQTT_FLOOD_TARGET && (le.flood?.lost ?? 1) === 0 && floodRss !== undefined && floodRss <= MQTT_FLOOD_RSS_LIMIT_MB),
    p99: judge(p99Ratio, (r) => r <= MQTT_P99_TARGET),
  };
  const all = Object.values(targets);
  const targetMet = all.some((t) => t === false) ? false : all.every((t) => t === true) ? true : undefined;

  const phaseRow = (name: string, label: string, value: (p: PhaseResult) => string) => [label, ...[loopEdge, nodeRed].map((run) => (run.phases[name] ? value(run.phases[name]!) : 'failed'))];
  const throughput = (p: PhaseResult) => `${formatNumber(p.msgPerSec)} msg/s, lost ${formatNumber(p.lost)}${p.invalid || p.duplicates ? `, bad ${p.invalid}, dup ${p.duplicates}` : ''}`;
  const latency = (p: PhaseResult) => `${formatNumber(p.p50Ms, 1)} / ${formatNumber(p.p99Ms, 1)} ms, lost ${formatNumber(p.lost)}`;
  const rss = (s: RssSample | undefined) => (s ? `${formatNumber(s.mainMiB)} (${formatNumber(s.treeMiB)}) MiB` : '—');
  const table = formatTable(
    `MQTT black box: Mosquitto + mqtt.js generator, flow mqtt in → json → function → switch → change → mqtt out, QoS 0${quick ? ' (quick)' : ''}`,
    ['measure', 'LoopEdge', 'Node-RED 4.1'],
    [
      phaseRow('closed-loop', 'throughput, ≤ 1,000 in flight', throughput),
      phaseRow('flood', `flood of ${formatNumber(le.flood?.sent ?? nr.flood?.sent)}`, throughput),
      phaseRow('rate-1000', 'latency p50 / p99 at 1,000 msg/s', latency),
      phaseRow('rate-5000', 'latency p50 / p99 at 5,000 msg/s', latency),
      ['RSS idle, main (with children)', rss(loopEdge.idle), rss(nodeRed.idle)],
      ['RSS peak during the flood', rss(loopEdge.floodPeak), rss(nodeRed.floodPeak)],
      ['RSS peak overall', rss(loopEdge.peak), rss(nodeRed.peak)],
    ],
    ['left', 'right', 'right'],
  );
  const targetTable = formatTable(
    'Targets',
    ['target', 'measured', 'met'],
    [
      [`throughput ≥ ${MQTT_THROUGHPUT_TARGET}× Node-RED, no loss`, ratioText(closedRatio), metText(targets.closedLoop)],
      [`flood ≥ ${MQTT_FLOOD_TARGET}×, no loss, LoopEdge peak RSS ≤ ${MQTT_FLOOD_RSS_LIMIT_MB} MB`, `${ratioText(floodRatio)}, ${formatNumber(floodRss)} MB`, metText(targets.flood)],
      [`p99 at 5,000 msg/s ≤ ${MQTT_P99_TARGET}× Node-RED's`, ratioText(p99Ratio), metText(targets.p99)],
    ],
    ['left', 'right', 'left'],
  );
  const errors = [loopEdge, nodeRed].filter((run) => run.error).map((run) => `${MQTT_ENGINE_LABELS[run.engine]} failed: ${run.error}`);
  return {
    report: [table, '', targetTable, ...errors].join('\n'),
    summary: `throughput ${ratioText(closedRatio)}, flood ${ratioText(floodRatio)} (LoopEdge lost ${formatNumber(le.flood?.lost)}, Node-RED ${formatNumber(nr.flood?.lost)}; LoopEdge peak ${formatNumber(floodRss)} MB), p99@5k ${ratioText(p99Ratio)}`,
    targetMet,
    results: { targets, closedRatio, floodRatio, p99Ratio, floodPeakRssMB: floodRss, loopEdge, nodeRed },
  };
}

export const mqttThroughputBenchmark: Benchmark = {
  name: 'mqtt',
  description: 'MQTT black box vs Node-RED 4.1: Mosquitto, external generator, mqtt in → json → function → switch → change → mqtt out',
  run: runMqttThroughput,
};

runIfMain(import.meta.url, mqttThroughputBenchmark);
