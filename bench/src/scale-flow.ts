/**
 * A large flow document for the scale benchmark: `tabs` tabs, each holding
 * chains of inject → change → switch → debug, as an engineer's Node-RED export
 * would write them (numbers as strings, layout, empty wires). Nothing fires on
 * its own: injects have no repeat and no once, debugs are inactive, so the
 * benchmark measures loading and deploying, not message traffic.
 */
import type { FlowDocument, FlowItem } from '@loopedge/flows';

export interface ScaleFlowShape {
  tabs: number;
  /** Chains per tab; each chain is 4 nodes. */
  chainsPerTab: number;
}

export const DEFAULT_SCALE_SHAPE: ScaleFlowShape = { tabs: 100, chainsPerTab: 25 };

/** Ids are deterministic so the edited node can be named. */
export function chainNodeId(tab: number, chain: number, role: 'inject' | 'change' | 'switch' | 'debug'): string {
  return `t${tab}-c${chain}-${role}`;
}

export function generateScaleFlow(shape: ScaleFlowShape = DEFAULT_SCALE_SHAPE): FlowDocument {
  const doc: FlowItem[] = [];
  for (let tab = 0; tab < shape.tabs; tab += 1) {
    const z = `tab-${tab}`;
    doc.push({ id: z, type: 'tab', label: `Line ${tab}`, disabled: false, info: '' });
    for (let chain = 0; chain < shape.chainsPerTab; chain += 1) {
      doc.push(...chainNodes(z, tab, chain));
    }
  }
  return doc;
}

function chainNodes(z: string, tab: number, chain: number): FlowItem[] {
  const id = (role: 'inject' | 'change' | 'switch' | 'debug'): string => chainNodeId(tab, chain, role);
  const y = 60 + chain * 60;
  return [
    {
      id: id('inject'), type: 'inject', z, name: `sample ${chain}`,
      props: [{ p: 'payload' }, { p: 'topic', vt: 'str' }],
      repeat: '', crontab: '', once: false, onceDelay: 0.1,
      topic: `line-${tab}/sensor-${chain}`, payload: String(chain), payloadType: 'num',
      x: 130, y, wires: [[id('change')]],
    },
    {
      id: id('change'), type: 'change', z, name: 'scale reading',
      rules: [
        { t: 'set', p: 'reading', pt: 'msg', to: 'payload', tot: 'msg' },
        { t: 'set', p: 'unit', pt: 'msg', to: 'mm', tot: 'str' },
      ],
      action: '', property: '', from: '', to: '', reg: false,
      x: 320, y, wires: [[id('switch')]],
    },
    {
      id: id('switch'), type: 'switch', z, name: 'limit',
      property: 'reading', propertyType: 'msg',
      rules: [
        { t: 'gt', v: '10', vt: 'num' },
        { t: 'lte', v: '10', vt: 'num' },
        { t: 'else' },
      ],
      checkall: 'true', repair: false, outputs: 3,
      x: 500, y, wires: [[id('debug')], [id('debug')], []],
    },
    {
      id: id('debug'), type: 'debug', z, name: '',
      active: false, tosidebar: true, console: false, tostatus: false,
      complete: 'payload', targetType: 'msg', statusVal: '', statusType: 'auto',
      x: 680, y, wires: [],
    },
  ];
}

/**
 * The same document with one node edited: the change node of the middle
 * chain of the middle tab gets a new unit string. `revision` makes successive
 * edits differ, so each deploy has exactly one changed node.
 */
export function withOneNodeEdited(doc: FlowDocument, shape: ScaleFlowShape, revision: number): { doc: FlowDocument; editedNodeId: string } {
  const editedNodeId = chainNodeId(Math.floor(shape.tabs / 2), Math.floor(shape.chainsPerTab / 2), 'change');
  const edited = doc.map((item) =>
    item.id === editedNodeId
      ? { ...item, rules: [{ t: 'set', p: 'reading', pt: 'msg', to: 'payload', tot: 'msg' }, { t: 'set', p: 'unit', pt: 'msg', to: `mm-r${revision}`, tot: 'str' }] }
      : item,
  );
  return { doc: edited, editedNodeId };
}

export function countNodes(doc: FlowDocument): number {
  return doc.filter((item) => item.type !== 'tab' && item.type !== 'subflow' && item.type !== 'group').length;
}
