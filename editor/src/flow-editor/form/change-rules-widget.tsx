import { CHANGE_ACTIONS, PROPERTY_TYPES, SEARCH_TYPES, changeRulesOf, newChangeRule, toTypesOf, withAction, withField, type ChangeRule } from './change-rules-model.js';
import { moveBy, removeAt, replaceAt } from './switch-rules-model.js';
import { TypedInput } from './typed-input.js';

export interface ChangeRulesWidgetProps {
  id: string;
  value: unknown;
  /** The node's legacy single-rule properties (action, property, from, to, reg), shown as a rule when `rules` is missing. */
  legacy: Record<string, unknown>;
  onChange(rules: ChangeRule[]): void;
}

function text(value: unknown): string {
  return value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
}

/** The change node's rules as in Node-RED: Set / Change / Delete / Move a property, with typed values, in order. */
export function ChangeRulesWidget({ id, value, legacy, onChange }: ChangeRulesWidgetProps) {
  const rules = changeRulesOf(value, legacy);
  const put = (r: number, rule: ChangeRule) => onChange(replaceAt(rules, r, rule));
  return (
    <div className="fe-change-rules" id={id} role="group" aria-label="Change rules">
      {rules.map((rule, r) => {
        const label = `Rule ${r + 1}`;
        const toTypes = toTypesOf(rule.t);
        return (
          <fieldset key={r} className="fe-rule" data-rule={r} style={{ display: 'block' }}>
            <legend>{label}</legend>
            <div className="fe-rule-head">
              <select aria-label={`${label} action`} value={rule.t} onChange={(e) => put(r, withAction(rule, e.target.value))}>
                {CHANGE_ACTIONS.some((a) => a.t === rule.t) ? null : <option value={rule.t}>{rule.t}</option>}
                {CHANGE_ACTIONS.map((a) => (
                  <option key={a.t} value={a.t}>
                    {a.label}
                  </option>
                ))}
              </select>
              <button type="button" aria-label={`Move ${label.toLowerCase()} up`} disabled={r === 0} onClick={() => onChange(moveBy(rules, r, -1))}>
                ↑
              </button>
              <button type="button" aria-label={`Move ${label.toLowerCase()} down`} disabled={r === rules.length - 1} onClick={() => onChange(moveBy(rules, r, 1))}>
                ↓
              </button>
              <button type="button" aria-label={`Delete ${label.toLowerCase()}`} onClick={() => onChange(removeAt(rules, r))}>
                ✕
              </button>
            </div>
            <small className="fe-muted" style={{ display: 'block' }}>{rule.t === 'move' ? 'move' : 'property'}</small>
            <TypedInput id={`${id}-${r}-p`} label={`${label} property`} value={text(rule.p)} type={rule.pt ?? 'msg'} types={PROPERTY_TYPES} onChange={(p, pt) => put(r, { ...rule, p, pt })} />
            {rule.t === 'change' && <small className="fe-muted" style={{ display: 'block' }}>search for</small>}
            {rule.t === 'change' && (
              <TypedInput id={`${id}-${r}-from`} label={`${label} search for`} value={text(rule.from)} type={rule.fromt ?? 'str'} types={SEARCH_TYPES} onChange={(from, fromt) => put(r, { ...rule, from, fromt })} />
            )}
            {toTypes.length > 0 && <small className="fe-muted" style={{ display: 'block' }}>{rule.t === 'move' ? 'to' : rule.t === 'change' ? 'replace with' : 'to the value'}</small>}
            {toTypes.length > 0 && (
              <TypedInput
                id={`${id}-${r}-to`}
                label={`${label} ${rule.t === 'move' ? 'to property' : rule.t === 'change' ? 'replace with' : 'to value'}`}
                value={text(rule.to)}
                type={rule.tot ?? toTypes[0] ?? 'str'}
                types={toTypes}
                onChange={(to, tot) => put(r, { ...rule, to, tot })}
              />
            )}
            {rule.t === 'set' && ['msg', 'flow', 'global'].includes(rule.tot ?? '') && (
              <label>
                <input type="checkbox" checked={rule.dc === true} onChange={(e) => put(r, withField(rule, 'dc', e.target.checked))} /> deep copy value
              </label>
            )}
          </fieldset>
        );
      })}
      <button type="button" onClick={() => onChange([...rules, newChangeRule()])}>
        + add rule
      </button>
    </div>
  );
}
