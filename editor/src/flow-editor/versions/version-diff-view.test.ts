import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowItem } from '@loopedge/flows';
import { VALUE_TEXT_CAP, describeVersionDiff, diffHeadline, nodeTitle, propertyChanges, summaryText, valueText } from './version-diff-view.js';

const tab: FlowItem = { id: 't1', type: 'tab', label: 'Line 1' };
const config: FlowItem = { id: 'c1', type: 'mqtt-broker', name: 'plant broker', broker: 'a.local' };
const inject: FlowItem = { id: 'n1', type: 'inject', z: 't1', name: 'tick', repeat: '5', x: 100, y: 80, wires: [['n2']] };
const debug: FlowItem = { id: 'n2', type: 'debug', z: 't1', name: '', x: 300, y: 80, wires: [] };
const mqttOut: FlowItem = { id: 'n3', type: 'mqtt out', z: 't1', broker: 'c1', x: 300, y: 160, wires: [] };

describe('version diff view', () => {
  test('a changed node lists its changed properties old → new, layout last', () => {
    const v1 = [tab, inject, debug];
    const v2 = [tab, { ...inject, repeat: '10', x: 140, topic: 'new' }, debug];
    const diff = describeVersionDiff(v1, v2);
    assert.deepEqual(diff.added, []);
    assert.deepEqual(diff.removed, []);
    assert.equal(diff.changed.length, 1);
    const [node] = diff.changed;
    assert.equal(nodeTitle(node!), 'inject "tick" (n1) on Line 1');
    assert.equal(node!.change, 'changed');
    assert.deepEqual(node!.properties, [
      { property: 'repeat', before: '"5"', after: '"10"' },
      { property: 'topic', before: undefined, after: '"new"' },
      { property: 'x', before: '100', after: '140' },
    ]);
  });

  test('added and removed nodes carry type, name and the tab they sit on (a removed tab still names itself)', () => {
    const v1 = [tab, inject, debug];
    const v2 = [{ id: 't2', type: 'tab', label: 'Line 2' }, { ...debug, id: 'n9', z: 't2', name: 'out' }];
    const diff = describeVersionDiff(v1, v2);
    assert.deepEqual(diff.added.map(nodeTitle), ['tab "Line 2" (t2)', 'debug "out" (n9) on Line 2']);
    assert.deepEqual(diff.removed.map(nodeTitle), ['tab "Line 1" (t1)', 'inject "tick" (n1) on Line 1', 'debug (n2) on Line 1']);
    assert.equal(diffHeadline(diff), '2 added, 0 changed, 3 removed.');
  });

  test('rewired and moved nodes are told apart; a node whose config node changed is a dependency change', () => {
    const v1 = [tab, config, inject, debug, mqttOut];
    const v2 = [tab, { ...config, broker: 'b.local' }, { ...inject, wires: [['n2', 'n3']] }, { ...debug, y: 120 }, mqttOut];
    const diff = describeVersionDiff(v1, v2);
    const byId = new Map(diff.changed.map((node) => [node.id, node]));
    assert.equal(byId.get('c1')!.change, 'changed');
    assert.deepEqual(byId.get('c1')!.properties, [{ property: 'broker', before: '"a.local"', after: '"b.local"' }]);
    assert.equal(byId.get('n1')!.change, 'rewired');
    assert.deepEqual(byId.get('n1')!.properties, [{ property: 'wires', before: '[["n2"]]', after: '[["n2","n3"]]' }]);
    assert.equal(byId.get('n2')!.change, 'moved');
    assert.equal(byId.get('n3')!.change, 'dependency');
    assert.deepEqual(byId.get('n3')!.properties, []);
  });

  test('identical flow sets (keys in another order) give an empty diff', () => {
    const reordered: FlowItem = { wires: [['n2']], y: 80, x: 100, repeat: '5', name: 'tick', z: 't1', type: 'inject', id: 'n1' };
    const diff = describeVersionDiff([tab, inject, debug], [tab, reordered, debug]);
    assert.deepEqual(diff, { added: [], changed: [], removed: [] });
    assert.match(diffHeadline(diff), /No node changes/);
    assert.deepEqual(propertyChanges(inject, reordered), []);
  });

  test('long values are cut, and a summary reads +a ~c -r', () => {
    const code = 'x'.repeat(1000);
    const text = valueText(code);
    assert.equal(text.length, VALUE_TEXT_CAP);
    assert.ok(text.startsWith('"xxx') && text.endsWith('…'));
    assert.equal(valueText(''), '""');
    assert.equal(valueText(null), 'null');
    assert.equal(summaryText({ added: 2, changed: 1, removed: 0, moved: 0 }), '+2 ~1 -0');
    assert.equal(summaryText({ added: 0, changed: 0, removed: 0, moved: 3 }), '+0 ~0 -0 (moved 3)');
  });
});
