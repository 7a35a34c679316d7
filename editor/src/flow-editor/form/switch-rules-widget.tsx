import { ISTYPE_TYPES, SWITCH_OPERATORS, checkAllOf, moveBy, newSwitchRule, removeAt, reorderWires, replaceAt, switchOperator, switchRulesOf, withOperator, type SwitchRule } from './switch-rules-model.js';
import { TypedInput } from './typed-input.js';

export interface SwitchRulesWidgetProps {
  id: string;
  draft: Record<string, unknown>;
  set(name: string, value: unknown): void;
}

function text(value: unknown): string {
  return value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The switch node's rules as Node-RED shows them: one row per rule (= one
 * output), operator and typed value(s), move up/down, delete, add, and
 * "checking all rules / stopping after first match". Reordering or deleting
 * a rule moves or drops that output's wires with it, as in Node-RED.
 */
export function SwitchRulesWidget({ id, draft, set }: SwitchRulesWidgetProps) {
  const rules = switchRulesOf(draft['rules']);
  const wires = Array.isArray(draft['wires']) ? (draft['wires'] as string[][]) : [];
  const update = (next: SwitchRule[], order?: number[]) => {
    set('rules', next);
    set('outputs', next.length);
    if (order) set('wires', reorderWires(wires, order));
  };
  const indices = rules.map((_, i) => i);
  return (
    <div className="fe-switch-rules" id={id} role="group" aria-label="Switch rules">
      {rules.map((rule, r) => {
        const op = switchOperator(rule.t);
        const label = `Rule ${r + 1}`;
        return (
          <fieldset key={r} className="fe-rule" data-rule={r} style={{ display: 'block' }}>
            <legend>
              {label} → output {r + 1}
            </legend>
            <div className="fe-rule-head">
              <select aria-label={`${label} operator`} value={rule.t} onChange={(e) => update(replaceAt(rules, r, withOperator(rule, e.target.value)))}>
                {SWITCH_OPERATORS.some((o) => o.t === rule.t) ? null : <option value={rule.t}>{rule.t}</option>}
                {SWITCH_OPERATORS.map((o) => (
                  <option key={o.t} value={o.t}>
                    {o.label}
                  </option>
                ))}
              </select>
              <button type="button" aria-label={`Move ${label.toLowerCase()} up`} disabled={r === 0} onClick={() => update(moveBy(rules, r, -1), moveBy(indices, r, -1))}>
                ↑
              </button>
              <button type="button" aria-label={`Move ${label.toLowerCase()} down`} disabled={r === rules.length - 1} onClick={() => update(moveBy(rules, r, 1), moveBy(indices, r, 1))}>
                ↓
              </button>
              <button type="button" aria-label={`Delete ${label.toLowerCase()}`} onClick={() => update(removeAt(rules, r), removeAt(indices, r))}>
                ✕
              </button>
            </div>
            {rule.t === 'istype' ? (
              <select aria-label={`${label} type`} value={text(rule.v)} onChange={(e) => update(replaceAt(rules, r, { ...rule, v: e.target.value, vt: e.target.value }))}>
                {ISTYPE_TYPES.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </select>
            ) : op.arity > 0 ? (
              <TypedInput
                id={`${id}-${r}-v`}
                label={`${label} value`}
                value={text(rule.v)}
                type={rule.vt ?? op.types[0] ?? 'str'}
                types={op.types}
                onChange={(v, vt) => update(replaceAt(rules, r, { ...rule, v, vt }))}
              />
            ) : null}
            {op.arity === 2 && (
              <TypedInput
                id={`${id}-${r}-v2`}
                label={`${label} ${rule.t === 'index' ? 'last index' : 'upper value'}`}
                value={text(rule.v2)}
                type={rule.v2t ?? op.types[0] ?? 'num'}
                types={op.types}
                onChange={(v2, v2t) => update(replaceAt(rules, r, { ...rule, v2, v2t }))}
              />
            )}
            {rule.t === 'regex' && (
              <label>
                <input type="checkbox" checked={rule.case === true || rule.case === 'true'} onChange={(e) => update(replaceAt(rules, r, { ...rule, case: e.target.checked }))} /> ignore case
              </label>
            )}
          </fieldset>
        );
      })}
      <button type="button" onClick={() => update([...rules, newSwitchRule()], [...indices, -1])}>
        + add rule
      </button>
      <label className="fe-switch-checkall" style={{ display: 'block', marginTop: 4 }}>
        <span>When a rule matches </span>
        <select aria-label="Rule matching" value={checkAllOf(draft['checkall']) ? 'true' : 'false'} onChange={(e) => set('checkall', e.target.value)}>
          <option value="true">checking all rules</option>
          <option value="false">stopping after first match</option>
        </select>
      </label>
    </div>
  );
}
