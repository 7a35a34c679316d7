import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorLineOf, formFields } from './form-fields.js';
import type { NodeTypeInfo } from '../model/index.js';

test('the form comes from the schema and the widget hints, name first, type fields folded in', () => {
  const info: NodeTypeInfo = {
    type: 'debug', category: 'common', inputs: 1, outputs: 0,
    editor: { widgets: { complete: 'typed-input:targetType', func: 'code-js', broker: 'config-node:mqtt-broker', rules: 'switch-rules' } },
    schema: {
      properties: {
        active: { type: 'boolean', default: true },
        complete: { type: 'string' },
        targetType: { type: 'string' },
        name: { type: 'string' },
        count: { anyOf: [{ type: 'number' }, { type: 'string' }] },
        func: { type: 'string' },
        broker: { type: 'string' },
        rules: { type: 'array' },
        mode: { anyOf: [{ const: 'a' }, { const: 'b' }] },
        x: { type: 'number' },
      },
    },
  };
  const fields = formFields(info, {});
  assert.deepEqual(fields.map((f) => [f.name, f.widget.kind]), [
    ['name', 'text'], ['active', 'checkbox'], ['complete', 'typed'], ['count', 'number'], ['func', 'code'], ['broker', 'config'], ['rules', 'switch-rules'], ['mode', 'select'],
  ]);
  assert.deepEqual(fields.find((f) => f.name === 'complete')!.widget, { kind: 'typed', typeField: 'targetType' });
});

test('an unknown type is still editable from its values', () => {
  assert.deepEqual(formFields(undefined, { id: '1', type: 'x', name: 'n', n: 2, wires: [] }).map((f) => [f.name, f.widget.kind]), [['name', 'text'], ['n', 'number']]);
});

test('error lines are found in common error texts', () => {
  assert.equal(errorLineOf('SyntaxError: Unexpected token (line 3)'), 3);
  assert.equal(errorLineOf('at <isolated-vm>:7:12'), 7);
  assert.equal(errorLineOf('no line here'), undefined);
});
