import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { moveBy, newSwitchRule, removeAt, reorderWires, switchRulesOf, withOperator, checkAllOf } from './switch-rules-model.js';
import { changeRulesOf, newChangeRule, withAction, withField } from './change-rules-model.js';
import { changedInjectFields, injectFieldsOf, injectRowsOf, scheduleFields, scheduleOf } from './inject-model.js';
import { configFamilyTypes, scopeCandidates, scopeFor, scopeModeOf, toggleId } from './node-list-model.js';
import { formFields } from './form-fields.js';
import type { FlowItem } from '@loopedge/flows';
import type { NodeTypeInfo } from '../model/index.js';

// Written by hand in the exact shape Node-RED 4.1's editor exports these nodes.
const nodeRedSwitch = {
  id: 'a1b2c3d4e5f60718', type: 'switch', z: 'f1', name: 'route', property: 'payload', propertyType: 'msg',
  rules: [{ t: 'gt', v: '10', vt: 'num' }, { t: 'btwn', v: '1', vt: 'num', v2: '5', v2t: 'num' }, { t: 'regex', v: '^ab', vt: 'str', case: true }, { t: 'istype', v: 'number', vt: 'number' }, { t: 'nnull' }, { t: 'else' }],
  checkall: 'false', repair: false, outputs: 6, x: 330, y: 200, wires: [['d1'], ['d2'], [], [], [], []],
};
const nodeRedChange = {
  id: 'c0ffee0000000001', type: 'change', z: 'f1', name: '',
  rules: [
    { t: 'set', p: 'payload', pt: 'msg', to: 'hello', tot: 'str' },
    { t: 'change', p: 'topic', pt: 'msg', from: 'a', fromt: 'str', to: 'b', tot: 'str' },
    { t: 'delete', p: 'x', pt: 'msg' },
    { t: 'move', p: 'payload', pt: 'msg', to: 'data', tot: 'msg' },
    { t: 'set', p: 'count', pt: 'flow', to: 'payload', tot: 'msg', dc: true },
  ],
  action: '', property: '', from: '', to: '', reg: false, x: 500, y: 200, wires: [[]],
};
const nodeRedInject = {
  id: '1nject0000000001', type: 'inject', z: 'f1', name: '',
  props: [{ p: 'payload' }, { p: 'topic', vt: 'str' }, { p: 'extra', v: '{"a":1}', vt: 'json' }],
  repeat: '300', crontab: '', once: false, onceDelay: 0.1, topic: 'sensor', payload: '', payloadType: 'date', x: 120, y: 200, wires: [['c0ffee0000000001']],
};

describe('switch rules', () => {
  test('a Node-RED export is read as is and its checkall kept', () => {
    const rules = switchRulesOf(structuredClone(nodeRedSwitch.rules));
    assert.deepEqual(rules, nodeRedSwitch.rules);
    assert.equal(checkAllOf(nodeRedSwitch.checkall), false);
    assert.equal(checkAllOf('true'), true);
  });

  test('changing the operator gives the shape Node-RED saves', () => {
    const rule = { t: 'eq', v: '3', vt: 'num' };
    assert.deepEqual(withOperator(rule, 'gt'), { t: 'gt', v: '3', vt: 'num' });
    assert.deepEqual(withOperator(rule, 'btwn'), { t: 'btwn', v: '3', vt: 'num', v2: '', v2t: 'num' });
    assert.deepEqual(withOperator(rule, 'true'), { t: 'true' });
    assert.deepEqual(withOperator(rule, 'istype'), { t: 'istype', v: 'string', vt: 'string' });
    assert.deepEqual(withOperator({ t: 'eq', v: 'x', vt: 'str' }, 'regex'), { t: 'regex', v: 'x', vt: 'str', case: false });
    assert.deepEqual(withOperator({ t: 'eq', v: 'x', vt: 'str' }, 'lt'), { t: 'lt', v: 'x', vt: 'num' }, 'a string type is not offered for <');
    assert.deepEqual(newSwitchRule(), { t: 'eq', v: '', vt: 'str' });
  });

  test('reordering and deleting rules moves their wires with them', () => {
    const order = moveBy([0, 1, 2], 0, 1);
    assert.deepEqual(order, [1, 0, 2]);
    assert.deepEqual(reorderWires([['a'], ['b'], ['c']], order), [['b'], ['a'], ['c']]);
    assert.deepEqual(reorderWires([['a'], ['b'], ['c']], removeAt([0, 1, 2], 1)), [['a'], ['c']]);
    assert.deepEqual(reorderWires([['a']], [0, -1]), [['a'], []], 'a new rule starts unwired');
    assert.deepEqual(moveBy(['x', 'y'], 1, 1), ['x', 'y'], 'the last rule cannot move down');
  });
});

describe('change rules', () => {
  test('a Node-RED export is read unchanged', () => {
    assert.deepEqual(changeRulesOf(structuredClone(nodeRedChange.rules)), nodeRedChange.rules);
  });

  test('a pre-0.12 change node without rules shows its one rule', () => {
    assert.deepEqual(changeRulesOf(undefined, { action: 'replace', property: 'payload', to: 'x', reg: false }), [{ t: 'set', p: 'payload', pt: 'msg', to: 'x', tot: 'str' }]);
    assert.deepEqual(changeRulesOf(undefined, { action: 'change', property: 'topic', from: 'a.', to: 'b', reg: true }), [{ t: 'change', p: 'topic', pt: 'msg', from: 'a.', fromt: 're', to: 'b', tot: 'str' }]);
    assert.deepEqual(changeRulesOf(undefined, { action: '' }), []);
  });

  test('changing the action gives the shape Node-RED saves', () => {
    const set = newChangeRule();
    assert.deepEqual(set, { t: 'set', p: 'payload', pt: 'msg', to: '', tot: 'str' });
    assert.deepEqual(withAction(set, 'delete'), { t: 'delete', p: 'payload', pt: 'msg' });
    assert.deepEqual(withAction(set, 'change'), { t: 'change', p: 'payload', pt: 'msg', from: '', fromt: 'str', to: '', tot: 'str' });
    assert.deepEqual(withAction(set, 'move'), { t: 'move', p: 'payload', pt: 'msg', to: '', tot: 'msg' });
    assert.deepEqual(withAction(withAction(set, 'delete'), 'set'), { t: 'set', p: 'payload', pt: 'msg', to: '', tot: 'str' });
    assert.deepEqual(withField({ ...set, dc: true }, 'dc', false), set, 'deep copy off is not written');
  });
});

describe('inject', () => {
  test('props of a Node-RED export: payload and topic values live on the node; round-trip unchanged', () => {
    const rows = injectRowsOf(nodeRedInject);
    assert.deepEqual(rows, [{ p: 'payload', v: '', vt: 'date' }, { p: 'topic', v: 'sensor', vt: 'str' }, { p: 'extra', v: '{"a":1}', vt: 'json' }]);
    const back = injectFieldsOf(rows);
    assert.deepEqual(back, { props: nodeRedInject.props, payload: nodeRedInject.payload, payloadType: nodeRedInject.payloadType, topic: nodeRedInject.topic });
    assert.deepEqual(changedInjectFields(nodeRedInject, rows), {}, 'an untouched form changes nothing');
  });

  test('an edited payload is written where Node-RED keeps it; a legacy node gets props', () => {
    const rows = injectRowsOf(nodeRedInject).map((r) => (r.p === 'payload' ? { ...r, v: '5', vt: 'num' } : r));
    const changed = changedInjectFields(nodeRedInject, rows);
    assert.equal(changed.payload, '5');
    assert.equal(changed.payloadType, 'num');
    assert.deepEqual(changed.props, nodeRedInject.props);
    const legacy = { payload: 'hi', payloadType: 'str', topic: 't' };
    assert.deepEqual(injectRowsOf(legacy), [{ p: 'payload', v: 'hi', vt: 'str' }, { p: 'topic', v: 't', vt: 'str' }]);
  });

  test('schedules: every Node-RED form is recognised and written back unchanged', () => {
    assert.deepEqual(scheduleOf('300', ''), { mode: 'interval', count: 5, unit: 'm' });
    assert.deepEqual(scheduleOf('', ''), { mode: 'none' });
    assert.deepEqual(scheduleOf('', '*/5 8-17 * * 1,2,3,4,5'), { mode: 'interval-time', minutes: 5, from: 8, to: 17, days: [1, 2, 3, 4, 5] });
    assert.deepEqual(scheduleOf('', '30 14 * * *'), { mode: 'time', hour: 14, minute: 30, days: [0, 1, 2, 3, 4, 5, 6] });
    assert.deepEqual(scheduleOf('', '0 0 1 * *'), { mode: 'cron', crontab: '0 0 1 * *' });
    const cases: Array<[string, string]> = [['300', ''], ['2.5', ''], ['7200', ''], ['', ''], ['', '*/5 8-17 * * 1,2,3,4,5'], ['', '30 14 * * *'], ['', '05 09 * * 0,6'], ['', '0 0 1 * *'], ['', '*/10 * * * * *']];
    for (const [repeat, crontab] of cases) assert.deepEqual(scheduleFields(scheduleOf(repeat, crontab)), { repeat, crontab }, `${repeat} / ${crontab}`);
  });
});

describe('node lists', () => {
  const doc: FlowItem[] = [
    { id: 'f1', type: 'tab' },
    { id: 'c', type: 'catch', z: 'f1', x: 1, y: 1, scope: null },
    { id: 'n1', type: 'function', z: 'f1', x: 1, y: 1, name: 'scale' },
    { id: 'n2', type: 'comment', z: 'f1', x: 1, y: 1 },
    { id: 'n3', type: 'debug', z: 'f2', x: 1, y: 1 },
    { id: 'b', type: 'mqtt-broker', z: '' },
  ];

  test('scope modes in Node-RED shape: null, "group" or ids', () => {
    assert.equal(scopeModeOf(null), 'all');
    assert.equal(scopeModeOf('group'), 'group');
    assert.equal(scopeModeOf(['n1']), 'selected');
    assert.equal(scopeFor('all', ['n1'], false), null);
    assert.equal(scopeFor('group', [], false), 'group');
    assert.deepEqual(scopeFor('all', ['n1'], true), ['n1'], 'complete nodes always keep a list');
    assert.deepEqual(toggleId(['a', 'b'], 'a', false), ['b']);
    assert.deepEqual(toggleId(['b'], 'a', true), ['b', 'a']);
  });

  test('a scope can name nodes on the same tab only, not itself, comments or config nodes', () => {
    assert.deepEqual(scopeCandidates(doc, doc[1]!, (i) => i.type === 'mqtt-broker').map((i) => i.id), ['n1']);
  });

  test('config node families: the alert notifiers, explicit lists, prefixes', () => {
    const known = (t: string) => t !== 'notify-mqtt';
    assert.deepEqual(configFamilyTypes('notifier', [], known), ['notify-email', 'notify-webhook']);
    assert.deepEqual(configFamilyTypes('a, b', [], () => true), ['a', 'b']);
    assert.deepEqual(configFamilyTypes('tls', ['tls-config', 'inject'], () => true), ['tls', 'tls-config']);
  });
});

test('the widget hints of switch, change, inject, catch, complete and alert get their widgets, and hide what they own', () => {
  const info = (widgets: Record<string, string>, properties: NodeTypeInfo['schema']['properties']): NodeTypeInfo => ({ type: 't', category: 'c', inputs: 1, outputs: 1, editor: { widgets }, schema: { properties } });
  const kinds = (i: NodeTypeInfo) => formFields(i, {}).map((f) => [f.name, f.widget.kind]);
  assert.deepEqual(kinds(info({ rules: 'switch-rules', property: 'typed-input:propertyType' }, { name: {}, property: { type: 'string' }, propertyType: { type: 'string' }, rules: { type: 'array' }, checkall: {}, outputs: {} })), [['name', 'text'], ['property', 'typed'], ['rules', 'switch-rules']]);
  assert.deepEqual(kinds(info({ props: 'inject-props', repeat: 'inject-schedule', crontab: 'inject-schedule' }, { props: {}, repeat: {}, crontab: {}, once: { type: 'boolean' }, topic: {}, payload: {}, payloadType: {} })), [['props', 'inject-props'], ['repeat', 'inject-schedule'], ['once', 'checkbox']]);
  assert.deepEqual(kinds(info({ rules: 'change-rules' }, { rules: { type: 'array' }, action: {}, property: {}, from: {}, to: {}, reg: {} })), [['rules', 'change-rules']]);
  const scope = (schema: NodeTypeInfo['schema']['properties']) => formFields(info({ scope: 'node-list' }, schema), {})[0]!.widget;
  assert.deepEqual(scope({ scope: { anyOf: [{ type: 'null' }, { const: 'group' }, { type: 'array' }] } }), { kind: 'node-list', listOnly: false });
  assert.deepEqual(scope({ scope: { type: 'array' } }), { kind: 'node-list', listOnly: true });
  assert.deepEqual(formFields(info({ notifiers: 'config-node-list:notifier' }, { notifiers: { type: 'array' } }), {})[0]!.widget, { kind: 'config-list', family: 'notifier' });
});
