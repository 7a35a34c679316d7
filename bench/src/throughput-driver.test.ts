import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { loopEdgeEngine } from './engines/loopedge.js';
import { REFERENCE_ENTRY_NODE, REFERENCE_SINK_NODE, readReferenceFlow } from './reference-flow.js';
import { measureRounds, type ThroughputPlan } from './throughput-driver.js';

const smallPlan: ThroughputPlan = {
  entryNodeId: REFERENCE_ENTRY_NODE,
  sinkNodeId: REFERENCE_SINK_NODE,
  messages: 1_000,
  warmupMessages: 300,
  rounds: 2,
  batchSize: 100,
  maxInFlight: undefined,
  roundTimeoutMs: 20_000,
};

/** What the reference flow makes of generator messages 10, 50 and 90 (one per switch output). */
const expectedSinkSample = [10, 50, 90].map((seq) => ({ topic: 'line-1/scaled', value: seq, payload: { seq, v: seq / 100 } }));

describe('throughput driver on LoopEdge', () => {
  for (const [feed, maxInFlight] of [['open loop', undefined], ['closed loop', 250]] as const) {
    test(`${feed}: every round delivers all its messages and the reference flow computes the expected results`, async () => {
      const flow = await loopEdgeEngine.startFlow(readReferenceFlow());
      try {
        const measured = await measureRounds(flow, { ...smallPlan, maxInFlight });
        assert.equal(measured.rounds.length, 2);
        for (const round of measured.rounds) {
          assert.equal(round.messages, 1_000);
          assert.ok(round.msgPerSec > 0 && Number.isFinite(round.msgPerSec));
        }
        assert.deepEqual(measured.sinkSample, expectedSinkSample);
      } finally {
        await flow.stop();
      }
    });
  }

  test('a flow that never reaches the sink fails the round with a clear error', async () => {
    const flow = await loopEdgeEngine.startFlow(readReferenceFlow());
    try {
      await assert.rejects(measureRounds(flow, { ...smallPlan, sinkNodeId: 'no-such-sink', warmupMessages: 10, roundTimeoutMs: 300 }), /0 of 10 messages reached 'no-such-sink'/);
    } finally {
      await flow.stop();
    }
  });
});
