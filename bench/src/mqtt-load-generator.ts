/**
 * The external load generator (its own process, mqtt.js): publishes to
 * bench/in, receives bench/out, checks every message that comes back
 * (checkMessage), and measures one phase. Run by mqtt-throughput.ts as
 * `mqtt-load-generator.js <url> <phase JSON>`.
 */
import { connectAsync, type MqttClient } from 'mqtt';
import { replyToParent } from './child-process.js';
import { BENCH_IN_TOPIC, BENCH_OUT_TOPIC, benchPayload, checkMessage } from './mqtt-bench-flow.js';

export type LoadPhase =
  | { kind: 'probe'; timeoutMs: number }
  | { kind: 'closed-loop'; messages: number; maxInFlight: number }
  | { kind: 'flood'; messages: number }
  | { kind: 'rate'; perSecond: number; seconds: number };

export interface PhaseResult {
  sent: number;
  /** Distinct messages back, correct. */
  received: number;
  lost: number;
  invalid: number;
  duplicates: number;
  outOfOrder: number;
  elapsedMs: number;
  msgPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

const now = (): number => performance.timeOrigin + performance.now();
/** With nothing back for this long, what has not arrived is lost. */
const IDLE_MS = 5_000;

class Receiver {
  received = 0;
  invalid = 0;
  duplicates = 0;
  outOfOrder = 0;
  lastSeq = -1;
  lastAt = 0;
  readonly latencies: number[] = [];
  readonly #seen: Uint8Array;
  onMessage: () => void = () => {};

  constructor(capacity: number, client: MqttClient) {
    this.#seen = new Uint8Array(capacity);
    client.on('message', (topic, payload) => {
      const checked = checkMessage(topic, payload);
      const at = now();
      if (!checked || checked.seq >= capacity) {
        this.invalid++;
        return;
      }
      if (this.#seen[checked.seq]) {
        this.duplicates++;
        return;
      }
      this.#seen[checked.seq] = 1;
      if (checked.seq < this.lastSeq) this.outOfOrder++;
      this.lastSeq = checked.seq;
      this.received++;
      this.lastAt = at;
      this.latencies.push(at - checked.t);
      this.onMessage();
    });
  }

  /** Resolves when `count` messages are back, or nothing came for IDLE_MS. */
  async settle(count: number): Promise<void> {
    let idleSince = now();
    let seen = this.received;
    while (this.received < count) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (this.received !== seen) {
        seen = this.received;
        idleSince = now();
      } else if (now() - idleSince > IDLE_MS) return;
    }
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))]!;
}

function result(sent: number, receiver: Receiver, startedAt: number): PhaseResult {
  const elapsedMs = Math.max(1, receiver.lastAt - startedAt);
  const sorted = receiver.latencies.sort((a, b) => a - b);
  return {
    sent,
    received: receiver.received,
    lost: sent - receiver.received,
    invalid: receiver.invalid,
    duplicates: receiver.duplicates,
    outOfOrder: receiver.outOfOrder,
    elapsedMs,
    msgPerSec: (receiver.received / elapsedMs) * 1000,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
  };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function runPhase(url: string, phase: LoadPhase): Promise<PhaseResult> {
  // Two connections, as two devices: the sender's writes never wait behind the receiver's reads.
  const publisher = await connectAsync(url, { reconnectPeriod: 0, clientId: `bench-pub-${process.pid}` });
  const subscriber = await connectAsync(url, { reconnectPeriod: 0, clientId: `bench-sub-${process.pid}` });
  // No Nagle on the generator's side either (see mqtt-mosquitto.ts): the measuring
  // instrument must not add delayed-ACK waits to either engine's latency.
  for (const client of [publisher, subscriber]) (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
  await subscriber.subscribeAsync(BENCH_OUT_TOPIC, { qos: 0 });
  const capacity = phase.kind === 'probe' ? 100_000 : phase.kind === 'rate' ? phase.perSecond * phase.seconds : phase.messages;
  const receiver = new Receiver(capacity, subscriber);
  const publish = (seq: number): void => {
    publisher.publish(BENCH_IN_TOPIC, benchPayload(seq, now()), { qos: 0 });
  };
  let sent = 0;
  const startedAt = now();
  try {
    switch (phase.kind) {
      case 'probe': {
        // Until the engine's subscription is live and the flow answers.
        while (receiver.received === 0) {
          if (now() - startedAt > phase.timeoutMs) throw new Error(`the engine did not answer within ${phase.timeoutMs} ms`);
          publish(sent++);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        break;
      }
      case 'closed-loop': {
        const refill = (): void => {
          while (sent < phase.messages && sent - receiver.received - receiver.invalid < phase.maxInFlight) publish(sent++);
        };
        receiver.onMessage = refill;
        refill();
        await receiver.settle(phase.messages);
        break;
      }
      case 'flood': {
        while (sent < phase.messages) {
          const end = Math.min(phase.messages, sent + 1_000);
          while (sent < end) publish(sent++);
          await turn();
        }
        await receiver.settle(phase.messages);
        break;
      }
      case 'rate': {
        const total = phase.perSecond * phase.seconds;
        while (sent < total) {
          const due = Math.min(total, Math.floor(((now() - startedAt) / 1000) * phase.perSecond));
          while (sent < due) publish(sent++);
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
        await receiver.settle(total);
        break;
      }
    }
    return result(sent, receiver, startedAt);
  } finally {
    await publisher.endAsync();
    await subscriber.endAsync(true);
  }
}

const [url, phaseJson] = process.argv.slice(2);
if (url && phaseJson) await replyToParent(() => runPhase(url, JSON.parse(phaseJson) as LoadPhase));
