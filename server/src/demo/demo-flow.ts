import type { FlowDocument } from '@loopedge/flows';

/**
 * The flow written to DATA/flows.json on first start, so `npm start` shows
 * live data at once: a simulated press reports its temperature every second,
 * a switch splits normal readings from high ones, and two debug nodes print
 * them on stdout. Only core nodes and JSONata: it also loads in Node-RED.
 *
 * The temperature is a triangle wave (JSONata has no trigonometry) between
 * 55 and 75 °C with ±0.5 °C noise, period 40 s.
 */
const TEMPERATURE_EXPRESSION =
  '{ "machine": "press-01", ' +
  '"temperature": $round(65 + 10 * ($abs(($millis() / 1000) % 40 - 20) / 10 - 1) + $random() - 0.5, 2), ' +
  '"unit": "°C", "timestamp": $now() }';

export const HIGH_TEMPERATURE_LIMIT = 70;

export const demoFlow: FlowDocument = [
  {
    id: 'demo-tab',
    type: 'tab',
    label: 'Demo: simulated machine',
    disabled: false,
    info: 'Written on first start because there was no flows.json. Replace it with your own flows (loopedge start --flows my-flows.json).',
    env: [],
  },
  {
    id: 'demo-tick',
    type: 'inject',
    z: 'demo-tab',
    name: 'every second',
    props: [{ p: 'payload' }, { p: 'topic', vt: 'str' }],
    repeat: '1',
    crontab: '',
    once: true,
    onceDelay: '0.1',
    topic: 'press-01/temperature',
    payload: '',
    payloadType: 'date',
    x: 130,
    y: 100,
    wires: [['demo-reading']],
  },
  {
    id: 'demo-reading',
    type: 'change',
    z: 'demo-tab',
    name: 'simulated temperature',
    rules: [{ t: 'set', p: 'payload', pt: 'msg', to: TEMPERATURE_EXPRESSION, tot: 'jsonata' }],
    action: '',
    property: '',
    from: '',
    to: '',
    reg: false,
    x: 340,
    y: 100,
    wires: [['demo-limit']],
  },
  {
    id: 'demo-limit',
    type: 'switch',
    z: 'demo-tab',
    name: `above ${HIGH_TEMPERATURE_LIMIT} °C?`,
    property: 'payload.temperature',
    propertyType: 'msg',
    rules: [
      { t: 'lte', v: String(HIGH_TEMPERATURE_LIMIT), vt: 'num' },
      { t: 'gt', v: String(HIGH_TEMPERATURE_LIMIT), vt: 'num' },
    ],
    checkall: 'false',
    repair: false,
    outputs: 2,
    x: 550,
    y: 100,
    wires: [['demo-normal'], ['demo-high']],
  },
  {
    id: 'demo-normal',
    type: 'debug',
    z: 'demo-tab',
    name: 'reading',
    active: true,
    tosidebar: true,
    console: true,
    tostatus: false,
    complete: 'payload',
    targetType: 'msg',
    statusVal: '',
    statusType: 'auto',
    x: 750,
    y: 80,
    wires: [],
  },
  {
    id: 'demo-high',
    type: 'debug',
    z: 'demo-tab',
    name: 'high temperature',
    active: true,
    tosidebar: true,
    console: true,
    tostatus: true,
    complete: 'payload',
    targetType: 'msg',
    statusVal: 'payload.temperature',
    statusType: 'msg',
    x: 770,
    y: 120,
    wires: [],
  },
];
