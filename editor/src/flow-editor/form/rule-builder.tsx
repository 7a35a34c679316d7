import { useState } from 'react';
import { fromRows, RULE_OPERATORS, toRows, type ConditionRow, type RuleRow } from './rule-model.js';

export interface RuleBuilderProps {
  id: string;
  value: unknown;
  /** Fact names to offer (msg and the node's named facts). */
  facts: string[];
  onChange(rules: Array<Record<string, unknown>>): void;
}

/** The rules node's rule builder: rules with all/any of fact–operator–value conditions. */
export function RuleBuilder({ id, value, facts, onChange }: RuleBuilderProps) {
  const [rows, setRows] = useState<RuleRow[]>(() => toRows(value));
  const update = (next: RuleRow[]) => {
    setRows(next);
    onChange(fromRows(next));
  };
  const setRule = (index: number, patch: Partial<RuleRow>) => update(rows.map((row, i) => (i === index ? { ...row, ...patch } : row)));
  const setCondition = (rule: number, index: number, patch: Partial<ConditionRow>) =>
    setRule(rule, { conditions: rows[rule]!.conditions.map((c, i) => (i === index ? { ...c, ...patch } : c)) });
  return (
    <div className="fe-rule-builder" id={id} role="group" aria-label="Rules">
      <datalist id={`${id}-facts`}>
        {facts.map((fact) => (
          <option key={fact} value={fact} />
        ))}
      </datalist>
      {rows.map((row, r) => (
        <fieldset key={r} className="fe-rule">
          <legend>Rule {r + 1}</legend>
          <div className="fe-rule-head">
            <input aria-label={`Rule ${r + 1} name`} placeholder="name" value={row.name} onChange={(e) => setRule(r, { name: e.target.value })} />
            <input aria-label={`Rule ${r + 1} priority`} placeholder="priority" inputMode="numeric" value={row.priority} onChange={(e) => setRule(r, { priority: e.target.value })} />
            {row.raw === undefined && (
              <select aria-label={`Rule ${r + 1} match`} value={row.mode} onChange={(e) => setRule(r, { mode: e.target.value as 'all' | 'any' })}>
                <option value="all">all of</option>
                <option value="any">any of</option>
              </select>
            )}
            <button type="button" aria-label={`Remove rule ${r + 1}`} onClick={() => update(rows.filter((_, i) => i !== r))}>
              ✕
            </button>
          </div>
          {row.raw !== undefined ? (
            <textarea aria-label={`Rule ${r + 1} conditions (JSON)`} rows={5} value={row.raw} onChange={(e) => setRule(r, { raw: e.target.value })} />
          ) : (
            <>
              {row.conditions.map((c, i) => (
                <div key={i} className="fe-rule-condition">
                  <input aria-label={`Rule ${r + 1} condition ${i + 1} fact`} list={`${id}-facts`} placeholder="fact" value={c.fact} onChange={(e) => setCondition(r, i, { fact: e.target.value })} />
                  <input aria-label={`Rule ${r + 1} condition ${i + 1} path`} placeholder="path ($.payload)" value={c.path ?? ''} onChange={(e) => setCondition(r, i, { path: e.target.value })} />
                  <select aria-label={`Rule ${r + 1} condition ${i + 1} operator`} value={c.operator} onChange={(e) => setCondition(r, i, { operator: e.target.value })}>
                    {(RULE_OPERATORS as readonly string[]).includes(c.operator) ? null : <option value={c.operator}>{c.operator}</option>}
                    {RULE_OPERATORS.map((op) => (
                      <option key={op} value={op}>
                        {op}
                      </option>
                    ))}
                  </select>
                  <input aria-label={`Rule ${r + 1} condition ${i + 1} value`} placeholder="value" value={c.value} onChange={(e) => setCondition(r, i, { value: e.target.value })} />
                  <button type="button" aria-label={`Remove condition ${i + 1} of rule ${r + 1}`} onClick={() => setRule(r, { conditions: row.conditions.filter((_, j) => j !== i) })}>
                    ✕
                  </button>
                </div>
              ))}
              <button type="button" onClick={() => setRule(r, { conditions: [...row.conditions, { fact: 'msg', path: '$.payload', operator: 'greaterThan', value: '0' }] })}>
                + condition
              </button>
            </>
          )}
        </fieldset>
      ))}
      <button type="button" onClick={() => update([...rows, { name: `rule ${rows.length + 1}`, priority: '', mode: 'all', conditions: [{ fact: 'msg', path: '$.payload', operator: 'greaterThan', value: '0' }], rest: {} }])}>
        + rule
      </button>
    </div>
  );
}
