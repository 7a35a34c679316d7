/**
 * The black-box MQTT benchmark flow, written once and run unchanged by both
 * engines: mqtt in → json → function → switch → change (one per band) → mqtt out.
 * The load generator checks every message that comes back (see checkMessage).
 * Ids never equal a property value: Node-RED takes such a value for a reference to that node.
 */
export const BENCH_IN_TOPIC = 'bench/in';
export const BENCH_OUT_TOPIC = 'bench/out';

export function mqttBenchFlow(brokerPort: number): Array<Record<string, unknown>> {
  const change = (id: string, band: string) => ({
    id,
    type: 'change',
    z: 'bench-tab',
    name: `band ${band}`,
    rules: [
      { t: 'set', p: 'topic', pt: 'msg', to: BENCH_OUT_TOPIC, tot: 'str' },
      { t: 'set', p: 'payload.band', pt: 'msg', to: band, tot: 'str' },
    ],
    action: '',
    property: '',
    from: '',
    to: '',
    reg: false,
    wires: [['bench-out']],
  });
  return [
    { id: 'bench-tab', type: 'tab', label: 'MQTT benchmark', disabled: false, info: '' },
    {
      id: 'bench-broker', type: 'mqtt-broker', name: 'mosquitto', broker: '127.0.0.1', port: String(brokerPort), clientid: '', autoConnect: true, usetls: false,
      protocolVersion: '4', keepalive: '60', cleansession: true, autoUnsubscribe: true,
      birthTopic: '', birthQos: '0', birthRetain: 'false', birthPayload: '', birthMsg: {},
      closeTopic: '', closeQos: '0', closeRetain: 'false', closePayload: '', closeMsg: {},
      willTopic: '', willQos: '0', willRetain: 'false', willPayload: '', willMsg: {}, userProps: '', sessionExpiry: '',
    },
    { id: 'bench-in', type: 'mqtt in', z: 'bench-tab', name: '', topic: BENCH_IN_TOPIC, qos: '0', datatype: 'utf8', broker: 'bench-broker', nl: false, rap: true, rh: 0, inputs: 0, wires: [['bench-json']] },
    { id: 'bench-json', type: 'json', z: 'bench-tab', name: '', property: 'payload', action: '', pretty: false, wires: [['bench-fn']] },
    {
      id: 'bench-fn', type: 'function', z: 'bench-tab', name: 'double', func: 'msg.payload.doubled = msg.payload.v * 2;\nreturn msg;',
      outputs: 1, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], wires: [['bench-switch']],
    },
    {
      id: 'bench-switch', type: 'switch', z: 'bench-tab', name: 'band', property: 'payload.v', propertyType: 'msg',
      rules: [{ t: 'lt', v: '50', vt: 'num' }, { t: 'else' }], checkall: 'true', repair: false, outputs: 2, wires: [['bench-low'], ['bench-high']],
    },
    change('bench-low', 'low'),
    change('bench-high', 'high'),
    { id: 'bench-out', type: 'mqtt out', z: 'bench-tab', name: '', topic: '', qos: '', retain: '', respTopic: '', contentType: '', userProps: '', correl: '', expiry: '', broker: 'bench-broker', wires: [] },
  ];
}

export interface BenchPayload {
  seq: number;
  /** Send time, ms since the epoch with sub-ms precision (performance.timeOrigin + now()). */
  t: number;
  v: number;
}

export function benchPayload(seq: number, t: number): string {
  return JSON.stringify({ seq, t, v: seq % 100 } satisfies BenchPayload);
}

/** The sequence number of a message that went through the whole flow correctly, or undefined. */
export function checkMessage(topic: string, payload: Buffer): { seq: number; t: number } | undefined {
  if (topic !== BENCH_OUT_TOPIC) return undefined;
  try {
    const p = JSON.parse(payload.toString()) as BenchPayload & { doubled?: number; band?: string };
    if (p.doubled !== p.v * 2 || p.band !== (p.v < 50 ? 'low' : 'high') || p.v !== p.seq % 100) return undefined;
    return { seq: p.seq, t: p.t };
  } catch {
    return undefined;
  }
}
