import type { FlowDocument, FlowItem } from '../types.js';

/**
 * A small but complete Node-RED export used by the tests of this package: two tabs, a
 * group, a global config node, link nodes, and a subflow used on a tab. Shaped exactly
 * as the Node-RED 4 editor writes it (numbers as strings, empty z on config nodes...).
 */
export function sampleFlows(): FlowDocument {
  return [
    { id: 'tab1', type: 'tab', label: 'Line 1', disabled: false, info: '', env: [] },
    { id: 'tab2', type: 'tab', label: 'Line 2', disabled: false, info: '', env: [] },
    {
      id: 'sf1',
      type: 'subflow',
      name: 'Scale',
      info: '',
      category: '',
      in: [{ x: 60, y: 80, wires: [{ id: 'sf1-fn' }] }],
      out: [{ x: 360, y: 80, wires: [{ id: 'sf1-fn', port: 0 }] }],
      env: [{ name: 'FACTOR', type: 'num', value: '10' }],
      meta: {},
      color: '#DDAA99',
    },
    {
      id: 'sf1-fn',
      type: 'function',
      z: 'sf1',
      name: 'scale',
      func: 'msg.payload *= Number(env.get("FACTOR"));\nreturn msg;',
      outputs: 1,
      timeout: 0,
      noerr: 0,
      initialize: '',
      finalize: '',
      libs: [],
      x: 210,
      y: 80,
      wires: [[]],
    },
    { id: 'broker1', type: 'mqtt-broker', z: '', name: 'plant', broker: 'localhost', port: '1883', clientid: '', autoConnect: true },
    { id: 'grp1', type: 'group', z: 'tab1', name: 'Acquire', style: { label: true }, nodes: ['inject1', 'scale1'], x: 34, y: 19, w: 412, h: 122 },
    {
      id: 'inject1',
      type: 'inject',
      z: 'tab1',
      g: 'grp1',
      name: 'tick',
      props: [{ p: 'payload' }, { p: 'topic', vt: 'str' }],
      repeat: '5',
      crontab: '',
      once: false,
      onceDelay: 0.1,
      topic: 'line1/temp',
      payload: '21.5',
      payloadType: 'num',
      x: 130,
      y: 60,
      wires: [['scale1']],
    },
    { id: 'scale1', type: 'subflow:sf1', z: 'tab1', g: 'grp1', name: '', env: [], x: 330, y: 60, wires: [['mqtt-out1', 'link-out1']] },
    { id: 'mqtt-out1', type: 'mqtt out', z: 'tab1', name: '', topic: '', qos: '', retain: '', broker: 'broker1', x: 530, y: 60, wires: [] },
    { id: 'link-out1', type: 'link out', z: 'tab1', name: '', mode: 'link', links: ['link-in1'], x: 495, y: 100, wires: [] },
    { id: 'link-in1', type: 'link in', z: 'tab2', name: 'from line 1', links: ['link-out1'], x: 100, y: 60, wires: [['debug1']] },
    {
      id: 'debug1',
      type: 'debug',
      z: 'tab2',
      name: '',
      active: true,
      tosidebar: true,
      console: false,
      complete: 'false',
      statusVal: '',
      statusType: 'auto',
      x: 300,
      y: 60,
      wires: [],
    },
  ];
}

/** A copy of `doc` with the item `id` replaced by `change(item)`. */
export function withItem(doc: FlowDocument, id: string, change: (item: FlowItem) => FlowItem): FlowDocument {
  return doc.map((item) => (item.id === id ? change(structuredClone(item)) : item));
}

/** A valid document of about `count` nodes: chains of function nodes on tabs of 100 nodes, sharing one config node. */
export function largeFlows(count: number): FlowDocument {
  const doc: FlowDocument = [{ id: 'cfg', type: 'mqtt-broker', z: '', broker: 'localhost', port: '1883' }];
  for (let tab = 0; tab * 100 < count; tab++) {
    const tabId = `t${tab}`;
    doc.push({ id: tabId, type: 'tab', label: `Tab ${tab}`, disabled: false, info: '' });
    for (let n = 0; n < 100 && tab * 100 + n < count; n++) {
      const id = `${tabId}n${n}`;
      const last = n === 99 || tab * 100 + n === count - 1;
      doc.push({
        id,
        type: n % 10 === 0 ? 'change' : 'function',
        z: tabId,
        name: `node ${n}`,
        func: 'msg.payload = msg.payload + 1;\nreturn msg;',
        outputs: 1,
        broker: 'cfg',
        props: [{ p: 'payload', v: '', vt: 'date' }],
        x: 100 + n * 10,
        y: 40 + n * 5,
        wires: last ? [[]] : [[`${tabId}n${n + 1}`]],
      });
    }
  }
  return doc;
}
