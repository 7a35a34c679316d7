import { setTimeout as sleep } from 'node:timers/promises';
import type { FlowPeer, PeerMessage, StartFlowPeer } from '../peers/flow-peer.js';
import { DEFAULT_SETTLE_MS, type ParityCase } from './case-file.js';
import { decodeCaseValue, normalizeMessage, StableLabels, type Json } from './normalize.js';

/** What one engine did with one case: the normalised messages per sink. */
export type SinkMessages = Record<string, Json[]>;

/** Extra time a slow (loaded) machine gets to reach the expected message counts. */
const EXPECTED_COUNT_GRACE_MS = 5000;

/**
 * Runs a case on one engine: start the flow, feed the inputs with their
 * delays, wait `settleMs` after the last one, read the sinks, stop.
 *
 * With `expected` (a verifying run), it also waits — up to a grace period —
 * until every sink holds at least the expected number of messages, so a
 * loaded machine does not turn into a false failure; extra messages still
 * show, as the run never ends before `settleMs`.
 */
export async function runCase(parityCase: ParityCase, start: StartFlowPeer, expected?: SinkMessages): Promise<SinkMessages> {
  const peer = await start(parityCase.flow, { env: parityCase.env ?? {}, record: parityCase.sinks });
  try {
    for (const input of parityCase.inputs) {
      if (input.afterMs) await sleep(input.afterMs);
      peer.receive(input.node, decodeCaseValue(input.msg) as PeerMessage);
    }
    const settleMs = parityCase.settleMs ?? DEFAULT_SETTLE_MS;
    await Promise.all([sleep(settleMs), expected ? reachExpectedCounts(peer, parityCase.sinks, expected, settleMs) : undefined]);
    return readSinks(peer, parityCase.sinks);
  } finally {
    await peer.stop();
  }
}

async function reachExpectedCounts(peer: FlowPeer, sinks: string[], expected: SinkMessages, settleMs: number): Promise<void> {
  const timeoutMs = settleMs + EXPECTED_COUNT_GRACE_MS;
  // A shortfall is not an error here: the comparison reports it with the messages that did arrive.
  await Promise.all(sinks.map((sink) => peer.waitForMessages(sink, expected[sink]?.length ?? 0, timeoutMs).catch(() => undefined)));
}

function readSinks(peer: FlowPeer, sinks: string[]): SinkMessages {
  const context = { labels: new StableLabels(), now: Date.now() };
  const out: SinkMessages = {};
  for (const sink of sinks) out[sink] = peer.messagesAt(sink).map((msg) => normalizeMessage(msg, context));
  return out;
}
