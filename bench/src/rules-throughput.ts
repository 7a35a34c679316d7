/**
 * The rules node: messages per second through a deployed flow (rules node with
 * 20 rules, every message checked against all 20, each falling into exactly
 * one rule's band) in a LoopEdge server; and, for reference, the same 20 rules
 * run by json-rules-engine's own `engine.run()` per message (what a node that
 * simply called the library would manage). Node-RED has no rules node in its
 * core: no side-by-side column.
 */
import { Engine } from 'json-rules-engine';
import { runIfMain, isQuickMode, type Benchmark, type BenchmarkOutcome } from './benchmark.js';
import { formatNumber, formatTable, median, metText } from './report.js';
import { feed, startBenchServer } from './rules-bench-server.js';

export const RULES_TARGET_MSG_PER_SEC = 20_000;
const RULE_COUNT = 20;

/** 20 band rules on $.payload.temp (0-5, 5-10, ... 95-100), each also checking the topic and a status flag. */
export function benchRules(): Array<Record<string, unknown>> {
  return Array.from({ length: RULE_COUNT }, (_, i) => ({
    name: `band ${i}`,
    priority: 1 + (i % 3),
    conditions: {
      all: [
        { fact: 'msg', path: '$.payload.temp', operator: 'greaterThanInclusive', value: i * 5 },
        { fact: 'msg', path: '$.payload.temp', operator: 'lessThan', value: (i + 1) * 5 },
        { any: [{ fact: 'msg', path: '$.topic', operator: 'equal', value: 'line-1' }, { fact: 'msg', path: '$.payload.state', operator: 'in', value: ['RUN', 'IDLE'] }] },
        { not: { fact: 'msg', path: '$.payload.maintenance', operator: 'equal', value: true } },
      ],
    },
    event: { type: `band-${i}` },
  }));
}

const message = (i: number) => ({ topic: 'line-1', payload: { temp: (i * 7) % 100, state: 'RUN', maintenance: false } });

async function throughputThroughNode(messages: number, rounds: number): Promise<number[]> {
  const ports = Array.from({ length: RULE_COUNT }, () => ['count']);
  const server = await startBenchServer([
    { id: 't1', type: 'tab', label: 'rules bench' },
    { id: 'rules', type: 'rules', z: 't1', outputMode: 'ports', rules: benchRules(), wires: ports },
    { id: 'count', type: 'bench-count', z: 't1', wires: [] },
  ]);
  try {
    // Warm-up, then timed rounds.
    let expected = Math.min(messages, 10_000);
    await feed(server.runtime, 'rules', expected, message);
    await server.waitForCount(expected);
    const results: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const started = performance.now();
      await feed(server.runtime, 'rules', messages, message);
      expected += messages;
      await server.waitForCount(expected);
      results.push((messages / (performance.now() - started)) * 1000);
    }
    return results;
  } finally {
    await server.stop();
  }
}

async function throughputOfEngineRun(messages: number): Promise<number> {
  const engine = new Engine(benchRules() as never, { allowUndefinedFacts: true });
  for (let i = 0; i < 200; i++) await engine.run({ msg: message(i) });
  const started = performance.now();
  for (let i = 0; i < messages; i++) await engine.run({ msg: message(i) });
  return (messages / (performance.now() - started)) * 1000;
}

export async function runRulesThroughput(): Promise<BenchmarkOutcome> {
  const quick = isQuickMode();
  const messages = quick ? 20_000 : 200_000;
  const rounds = quick ? 1 : 3;
  const node = median(await throughputThroughNode(messages, rounds));
  const engineRun = await throughputOfEngineRun(quick ? 1_000 : 5_000);
  const targetMet = node >= RULES_TARGET_MSG_PER_SEC;
  const table = formatTable(
    `Rules node, ${RULE_COUNT} rules per message (each: 2 numeric bounds, any-of topic/state, not maintenance), ${formatNumber(messages)} messages per round, median of ${rounds}`,
    ['what', 'msg/s', 'target', 'met'],
    [
      ['rules node in a deployed flow (compiled rules)', formatNumber(node), `≥ ${formatNumber(RULES_TARGET_MSG_PER_SEC)}`, metText(targetMet)],
      ['json-rules-engine engine.run() per message (library alone, no flow)', formatNumber(engineRun), 'reference', ''],
      ['Node-RED', 'n/a', 'no rules node in core', ''],
    ],
  );
  return {
    report: table,
    summary: `rules node ${formatNumber(node)} msg/s with ${RULE_COUNT} rules (target ≥ ${formatNumber(RULES_TARGET_MSG_PER_SEC)}); engine.run() alone ${formatNumber(engineRun)} msg/s`,
    targetMet,
    results: { ruleCount: RULE_COUNT, messagesPerRound: messages, rulesNodeMsgPerSec: node, engineRunMsgPerSec: engineRun, targetMsgPerSec: RULES_TARGET_MSG_PER_SEC },
  };
}

export const rulesThroughputBenchmark: Benchmark = {
  name: 'rules-throughput',
  description: `rules node with ${RULE_COUNT} rules per message, msg/s (target ≥ ${RULES_TARGET_MSG_PER_SEC})`,
  run: runRulesThroughput,
};

runIfMain(import.meta.url, rulesThroughputBenchmark);
