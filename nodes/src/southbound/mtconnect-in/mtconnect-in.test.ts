import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowMessage } from '@loopedge/runtime';
import { outputId, withNode } from '../../shared/node-test-kit.js';
import { mtconnectInNode } from './index.js';
import { parseAgentDocument, type Observation } from './mtconnect-documents.js';
import { TestAgent, type TestObservation } from './mtconnect-test-agent.js';

const speed = (value: string): TestObservation => ({ component: 'Rotary', componentId: 'c1', group: 'Samples', element: 'SpindleSpeed', dataItemId: 'c2', name: 'Sspeed', value });
const mode = (value: string): TestObservation => ({ component: 'Rotary', componentId: 'c1', group: 'Events', element: 'RotaryMode', dataItemId: 'c3', name: 'Cmode', value });
const avail = (value: string): TestObservation => ({ component: 'Device', componentId: 'd1', group: 'Events', element: 'Availability', dataItemId: 'avail', name: 'avail', value });
const payloads = (msgs: FlowMessage[]): Observation[] => msgs.map((m) => m.payload as Observation);

describe('mtconnect-in', () => {
  let agent: TestAgent;
  let url: string;
  before(async () => {
    agent = new TestAgent();
    url = await agent.start();
  });
  after(() => agent.stop());

  const config = (c: Record<string, unknown> = {}): Record<string, unknown> => ({ agentUrl: url, interval: '10', ...c });

  test('sends current, then every new observation once, in sequence order, with the probe model', async () => {
    agent.restart();
    agent.add(avail('AVAILABLE'), speed('100'), mode('SPINDLE'));
    await withNode(mtconnectInNode, config(), async (flow) => {
      const current = payloads(await flow.waitForMessages(outputId(0), 3));
      assert.deepEqual(current.map((o) => o.dataItemId), ['avail', 'c2', 'c3']);
      assert.deepEqual(current[1], {
        device: 'VMC-3Axis', deviceUuid: 'vmc-001', component: 'Rotary', componentId: 'c1', dataItemId: 'c2', name: 'Sspeed',
        type: 'SPINDLE_SPEED', subType: 'ACTUAL', category: 'SAMPLE', value: 100, units: 'REVOLUTION/MINUTE', timestamp: current[1]!.timestamp, sequence: 2,
      });
      assert.equal(flow.messagesAt(outputId(0))[0]!.topic, 'VMC-3Axis/avail');

      agent.add(speed('200'), speed('UNAVAILABLE'), { component: 'Rotary', componentId: 'c1', group: 'Condition', element: 'Warning', dataItemId: 'c4', type: 'TEMPERATURE', value: 'Too hot' });
      const all = payloads(await flow.waitForMessages(outputId(0), 6));
      assert.deepEqual(all.slice(3).map((o) => [o.sequence, o.category, o.type, o.value]), [
        [4, 'SAMPLE', 'SPINDLE_SPEED', 200], [5, 'SAMPLE', 'SPINDLE_SPEED', 'UNAVAILABLE'], [6, 'CONDITION', 'TEMPERATURE', 'WARNING'],
      ]);
      // Polling goes on; nothing is repeated.
      const polls = agent.requests.length;
      await agent.waitForRequests(polls + 3);
      assert.equal(flow.messagesAt(outputId(0)).length, 6);
      assert.ok(agent.requests.some((r) => r === '/sample?from=7&count=1000'));
    });
  });

  test('catches up when more is waiting than one sample request returns', async () => {
    agent.restart();
    agent.add(avail('AVAILABLE'));
    await withNode(mtconnectInNode, config({ count: '2' }), async (flow) => {
      await flow.waitForMessages(outputId(0), 1);
      agent.add(speed('1'), speed('2'), speed('3'), speed('4'), speed('5'));
      const all = payloads(await flow.waitForMessages(outputId(0), 6));
      assert.deepEqual(all.map((o) => o.sequence), [1, 2, 3, 4, 5, 6]);
    });
  });

  test('an agent restart (new instanceId) is detected and the node resynchronizes', async () => {
    agent.restart();
    agent.add(avail('AVAILABLE'), speed('10'));
    await withNode(mtconnectInNode, config(), async (flow) => {
      await flow.waitForMessages(outputId(0), 2);
      const oldInstance = agent.instanceId;
      agent.restart();
      agent.add(avail('UNAVAILABLE'));
      const msgs = payloads(await flow.waitForMessages(outputId(0), 3));
      assert.deepEqual([msgs[2]!.dataItemId, msgs[2]!.value, msgs[2]!.sequence], ['avail', 'UNAVAILABLE', 1]);
      assert.match(flow.warnings.map((w) => w.message).join('\n'), new RegExp(`agent restarted \\(instanceId ${oldInstance} → ${agent.instanceId}\\)`));
      agent.add(speed('11'));
      const next = payloads(await flow.waitForMessages(outputId(0), 4));
      assert.deepEqual([next[3]!.value, next[3]!.sequence], [11, 2]);
    });
  });

  test('broken XML is a node error and a red status; polling goes on', async () => {
    agent.restart();
    agent.add(avail('AVAILABLE'));
    await withNode(mtconnectInNode, config(), async (flow) => {
      await flow.waitForMessages(outputId(0), 1);
      agent.brokenAnswers = 1;
      await flow.waitUntil(() => flow.errors.length > 0);
      assert.match(flow.errors[0]!.message, /mtconnect-in n: GET http:\/\/127\.0\.0\.1:\d+\/sample\?from=2&count=1000: the agent sent XML that is not well-formed/);
      assert.ok(flow.statuses('n').some((s) => s.fill === 'red'));
      agent.add(speed('7'));
      const msgs = payloads(await flow.waitForMessages(outputId(0), 2));
      assert.equal(msgs[1]!.value, 7);
      await flow.waitUntil(() => flow.statuses('n').at(-1)?.fill === 'green');
    });
  });

  test('lost observations (OUT_OF_RANGE) resynchronize with current and warn', async () => {
    agent.restart();
    agent.add(avail('AVAILABLE'));
    // A long interval: the buffer moves on before the node asks again.
    await withNode(mtconnectInNode, config({ interval: '300' }), async (flow) => {
      await flow.waitForMessages(outputId(0), 1);
      agent.add(speed('1'), speed('2'));
      agent.forget(2);
      const msgs = payloads(await flow.waitForMessages(outputId(0), 2));
      assert.deepEqual(msgs.slice(1).map((o) => o.value), [2]);
      assert.match(flow.warnings.map((w) => w.message).join('\n'), /sequence 2 is no longer in the agent's buffer/);
    });
  });

  test('a device filter asks for that device only', async () => {
    agent.restart();
    agent.add(avail('AVAILABLE'));
    const seen = agent.requests.length;
    await withNode(mtconnectInNode, config({ device: 'VMC-3Axis' }), async (flow) => {
      await flow.waitForMessages(outputId(0), 1);
      assert.deepEqual(agent.requests.slice(seen, seen + 2), ['/VMC-3Axis/probe', '/VMC-3Axis/current']);
    });
  });

  test('parses MTConnect 1.1 error documents and 2.x streams', () => {
    const error = parseAgentDocument('<MTConnectError xmlns="urn:mtconnect.org:MTConnectError:1.1"><Header instanceId="1" nextSequence="1" firstSequence="1" lastSequence="0"/><Error errorCode="NO_DEVICE">no such device</Error></MTConnectError>');
    assert.deepEqual(error, { kind: 'error', header: { instanceId: '1', nextSequence: 1, firstSequence: 1, lastSequence: 0 }, errors: [{ code: 'NO_DEVICE', text: 'no such device' }] });
    const streams = parseAgentDocument(`<MTConnectStreams xmlns="urn:mtconnect.org:MTConnectStreams:2.0" schemaVersion="2.0"><Header instanceId="9" nextSequence="3" firstSequence="1" lastSequence="2"/>
      <Streams><DeviceStream name="M" uuid="m"><ComponentStream component="Path" componentId="p1"><Events><Execution dataItemId="ex" timestamp="t" sequence="2">ACTIVE</Execution><PartCount dataItemId="pc" timestamp="t" sequence="1">0010</PartCount></Events></ComponentStream></DeviceStream></Streams></MTConnectStreams>`);
    assert.equal(streams.kind, 'streams');
    assert.deepEqual(streams.kind === 'streams' && streams.observations.map((o) => [o.sequence, o.type, o.value]), [[1, 'PART_COUNT', '0010'], [2, 'EXECUTION', 'ACTIVE']]);
    assert.throws(() => parseAgentDocument('<html><body>proxy error</body></html>'), /not an MTConnect document/);
  });
});
