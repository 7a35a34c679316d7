/**
 * The engine-agnostic part of the throughput benchmark: feeds numbered
 * messages into the first node in fixed batches and times until the sink has
 * seen every one of them. Both engines run exactly this code.
 */
import type { BenchMessage, RunningFlow } from './engines/engine-under-test.js';
import { collectGarbage } from './child-process.js';

export interface ThroughputPlan {
  /** Node the generator delivers to. */
  entryNodeId: string;
  /** Node whose input is counted. */
  sinkNodeId: string;
  /** Messages per measured round. */
  messages: number;
  warmupMessages: number;
  rounds: number;
  /** Messages delivered per event-loop turn (setImmediate between batches). */
  batchSize: number;
  /**
   * Open loop when undefined: a batch every turn, however far the flow falls
   * behind. Otherwise closed loop: a batch is sent only while no more than
   * this many messages would be in flight (sent but not yet at the sink).
   */
  maxInFlight: number | undefined;
  /** A round that does not complete in this time fails the benchmark. */
  roundTimeoutMs: number;
}

export interface RoundResult {
  messages: number;
  elapsedMs: number;
  msgPerSec: number;
}

/**
 * The generator's message: `value` cycles 0..99 so the switch spreads
 * messages over all three outputs; `payload` is an object the first change
 * node writes `v` into. A fresh object each time, as a real source would make.
 */
export function generatorMessage(sequence: number): BenchMessage {
  return { topic: 'line-1/raw', value: sequence % 100, payload: { seq: sequence } };
}

/** Sequence numbers (one per switch band) whose sink messages are kept to compare the engines' results. */
const SAMPLED_SEQUENCES: ReadonlySet<number> = new Set([10, 50, 90]);

export interface MeasuredThroughput {
  rounds: RoundResult[];
  /** Copies (without `_msgid`) of the warm-up's sampled messages as the sink saw them, in arrival order. */
  sinkSample: BenchMessage[];
}

/** Runs the warm-up and then `plan.rounds` measured rounds on one running flow. */
export async function measureRounds(flow: RunningFlow, plan: ThroughputPlan): Promise<MeasuredThroughput> {
  const sinkSample: BenchMessage[] = [];
  const sink: SinkCounter = { seen: 0, target: Number.POSITIVE_INFINITY, reached: undefined, sample: undefined };
  flow.onInput(plan.sinkNodeId, (msg) => {
    sink.seen += 1;
    if (sink.sample) sink.sample(msg);
    if (sink.seen === sink.target) sink.reached?.();
  });
  // The warm-up also keeps a few results, so the parent can check both engines computed the same thing.
  sink.sample = (msg) => {
    const payload = msg['payload'] as { seq?: unknown } | undefined;
    if (typeof payload?.seq === 'number' && SAMPLED_SEQUENCES.has(payload.seq)) {
      const copy = structuredClone(msg);
      delete copy['_msgid'];
      sinkSample.push(copy);
    }
  };
  await runRound(flow, plan, sink, plan.warmupMessages);
  sink.sample = undefined;
  const rounds: RoundResult[] = [];
  for (let round = 0; round < plan.rounds; round += 1) {
    rounds.push(await runRound(flow, plan, sink, plan.messages));
  }
  return { rounds, sinkSample };
}

/** The sink's count; the listener calls `reached` when the count hits `target`. */
interface SinkCounter {
  seen: number;
  target: number;
  reached: (() => void) | undefined;
  /** Set during the warm-up only. */
  sample: ((msg: BenchMessage) => void) | undefined;
}

async function runRound(flow: RunningFlow, plan: ThroughputPlan, sink: SinkCounter, messages: number): Promise<RoundResult> {
  collectGarbage();
  // Let anything left over from the previous round settle before the clock starts.
  await new Promise<void>((resolve) => setImmediate(resolve));
  const startCount = sink.seen;
  let sent = 0;
  const started = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(() => {
      sink.reached = undefined;
      reject(
        new Error(
          `only ${sink.seen - startCount} of ${messages} messages reached '${plan.sinkNodeId}' within ${plan.roundTimeoutMs} ms ` +
            `(${sent} sent to '${plan.entryNodeId}'). Check that the engine runs every node of bench/flows/reference.json.`,
        ),
      );
    }, plan.roundTimeoutMs);
    sink.target = startCount + messages;
    sink.reached = () => {
      clearTimeout(deadline);
      sink.reached = undefined;
      resolve();
    };
    const sendBatch = (): void => {
      if (plan.maxInFlight !== undefined && sent - (sink.seen - startCount) + plan.batchSize > plan.maxInFlight) {
        setImmediate(sendBatch);
        return;
      }
      const end = Math.min(sent + plan.batchSize, messages);
      for (; sent < end; sent += 1) flow.receive(plan.entryNodeId, generatorMessage(sent));
      if (sent < messages) setImmediate(sendBatch);
    };
    sendBatch();
  });
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  return { messages, elapsedMs, msgPerSec: (messages / elapsedMs) * 1000 };
}
