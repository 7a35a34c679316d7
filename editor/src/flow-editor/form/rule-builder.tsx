import { useState } from 'react';
import {
  addChild,
  canAdd,
  canRemove,
  canSetMode,
  editAsJson,
  editAsRows,
  fromRows,
  newCondition,
  newGroup,
  newRule,
  removeAt,
  RULE_OPERATORS,
  setCondition,
  setMode,
  toRows,
  type ConditionNode,
  type GroupMode,
  type GroupNode,
  type NodePath,
  type RuleNode,
  type RuleRow,
} from './rule-model.js';

export interface RuleBuilderProps {
  id: string;
  value: unknown;
  /** Fact names to offer (msg and the node's named facts). */
  facts: string[];
  onChange(rules: Array<Record<string, unknown>>): void;
}

/**
 * Labels name a node by its 1-based position from the rule's root group: the root's
 * children are "condition 1", "group 2", theirs "condition 2.1" ... ("Rule 1 condition 2.1 operator").
 * The root group itself is "Rule 1 match".
 */
function position(path: NodePath): string {
  return path.map((i) => i + 1).join('.');
}

const MODE_LABELS: Record<GroupMode, string> = { all: 'all of', any: 'any of', not: 'not' };

interface TreeProps {
  rule: string;
  factsId: string;
  root: GroupNode;
  onRoot(root: GroupNode): void;
}

function ConditionRowView({ rule, factsId, root, onRoot, node, path }: TreeProps & { node: ConditionNode; path: NodePath }) {
  const label = `${rule} condition ${position(path)}`;
  const set = (patch: Partial<Omit<ConditionNode, 'kind' | 'original'>>) => onRoot(setCondition(root, path, patch));
  return (
    <div className="fe-rule-condition">
      <input aria-label={`${label} fact`} list={factsId} placeholder="fact" value={node.fact} onChange={(e) => set({ fact: e.target.value })} />
      <input aria-label={`${label} path`} placeholder="path ($.payload)" value={node.path ?? ''} onChange={(e) => set({ path: e.target.value })} />
      <select aria-label={`${label} operator`} value={node.operator} onChange={(e) => set({ operator: e.target.value })}>
        {(RULE_OPERATORS as readonly string[]).includes(node.operator) ? null : <option value={node.operator}>{node.operator}</option>}
        {RULE_OPERATORS.map((op) => (
          <option key={op} value={op}>
            {op}
          </option>
        ))}
      </select>
      <input aria-label={`${label} value`} placeholder="value" value={node.value} onChange={(e) => set({ value: e.target.value })} />
      <RemoveButton label={`Remove condition ${position(path)} of ${rule.toLowerCase()}`} root={root} path={path} onRoot={onRoot} />
    </div>
  );
}

function RemoveButton({ label, root, path, onRoot }: { label: string; root: GroupNode; path: NodePath; onRoot(root: GroupNode): void }) {
  const removable = canRemove(root, path);
  return (
    <button type="button" aria-label={label} disabled={!removable} title={removable ? label : 'A "not" group holds exactly one condition: change its mode first'} onClick={() => onRoot(removeAt(root, path))}>
      ✕
    </button>
  );
}

function OpaqueRowView({ rule, root, onRoot, node, path }: TreeProps & { node: { json: unknown }; path: NodePath }) {
  const label = `${rule} condition ${position(path)}`;
  return (
    <div className="fe-rule-condition fe-rule-opaque">
      <textarea aria-label={`${label} (JSON, read-only)`} readOnly rows={Math.min(6, JSON.stringify(node.json, null, 2).split('\n').length)} value={JSON.stringify(node.json, null, 2)} />
      <RemoveButton label={`Remove condition ${position(path)} of ${rule.toLowerCase()}`} root={root} path={path} onRoot={onRoot} />
    </div>
  );
}

function GroupView(props: TreeProps & { node: GroupNode; path: NodePath }) {
  const { rule, root, onRoot, node, path } = props;
  const name = path.length === 0 ? rule : `${rule} group ${position(path)}`;
  const addable = canAdd(node);
  return (
    <div className={path.length === 0 ? 'fe-rule-group fe-rule-root' : 'fe-rule-group'} role="group" aria-label={path.length === 0 ? `${rule} conditions` : name}>
      <div className="fe-rule-group-head">
        <select aria-label={path.length === 0 ? `${rule} match` : `${name} mode`} value={node.mode} onChange={(e) => onRoot(setMode(root, path, e.target.value as GroupMode))}>
          {(Object.keys(MODE_LABELS) as GroupMode[]).map((mode) => (
            <option key={mode} value={mode} disabled={mode !== node.mode && !canSetMode(node, mode)}>
              {MODE_LABELS[mode]}
            </option>
          ))}
        </select>
        <button type="button" aria-label={`${name}: + condition`} disabled={!addable} onClick={() => onRoot(addChild(root, path, newCondition()))}>
          + condition
        </button>
        <button type="button" aria-label={`${name}: + group`} disabled={!addable} onClick={() => onRoot(addChild(root, path, newGroup()))}>
          + group
        </button>
        {path.length > 0 && <RemoveButton label={`Remove group ${position(path)} of ${rule.toLowerCase()}`} root={root} path={path} onRoot={onRoot} />}
      </div>
      {node.children.map((child, i) => (
        <NodeView key={i} {...props} node={child} path={[...path, i]} />
      ))}
    </div>
  );
}

function NodeView(props: TreeProps & { node: RuleNode; path: NodePath }) {
  const { node } = props;
  if (node.kind === 'group') return <GroupView {...props} node={node} />;
  if (node.kind === 'condition') return <ConditionRowView {...props} node={node} />;
  return <OpaqueRowView {...props} node={node} />;
}

/** The rules node's rule builder: rules whose conditions are nested all/any/not groups of fact–operator–value rows. */
export function RuleBuilder({ id, value, facts, onChange }: RuleBuilderProps) {
  const [rows, setRows] = useState<RuleRow[]>(() => toRows(value));
  const update = (next: RuleRow[]) => {
    setRows(next);
    onChange(fromRows(next));
  };
  const setRule = (index: number, next: RuleRow) => update(rows.map((row, i) => (i === index ? next : row)));
  const factsId = `${id}-facts`;
  return (
    <div className="fe-rule-builder" id={id} role="group" aria-label="Rules">
      <datalist id={factsId}>
        {facts.map((fact) => (
          <option key={fact} value={fact} />
        ))}
      </datalist>
      {rows.map((row, r) => {
        const rule = `Rule ${r + 1}`;
        const errorId = `${id}-rule-${r}-error`;
        return (
          <fieldset key={r} className="fe-rule">
            <legend>{rule}</legend>
            <div className="fe-rule-head">
              <input aria-label={`${rule} name`} placeholder="name" value={row.name} onChange={(e) => setRule(r, { ...row, name: e.target.value })} />
              <input aria-label={`${rule} priority`} placeholder="priority" inputMode="numeric" value={row.priority} onChange={(e) => setRule(r, { ...row, priority: e.target.value })} />
              <button type="button" aria-label={row.raw === undefined ? `${rule}: edit as JSON` : `${rule}: edit as rows`} onClick={() => setRule(r, row.raw === undefined ? editAsJson(row) : editAsRows(row))}>
                {row.raw === undefined ? 'Edit as JSON' : 'Edit as rows'}
              </button>
              <button type="button" aria-label={`Remove rule ${r + 1}`} onClick={() => update(rows.filter((_, i) => i !== r))}>
                ✕
              </button>
            </div>
            {row.raw !== undefined ? (
              <div className="fe-rule-json">
                <textarea
                  aria-label={`${rule} conditions (JSON)`}
                  aria-invalid={row.error ? true : undefined}
                  aria-describedby={row.error ? errorId : undefined}
                  rows={6}
                  value={row.raw}
                  onChange={(e) => {
                    // The old parse error no longer describes the edited text.
                    const { error: _stale, ...rest } = row;
                    setRule(r, { ...rest, raw: e.target.value });
                  }}
                />
                {row.error && (
                  <p id={errorId} className="fe-rule-error" role="alert">
                    {row.error}
                  </p>
                )}
              </div>
            ) : (
              <GroupView rule={rule} factsId={factsId} root={row.root} onRoot={(root) => setRule(r, { ...row, root })} node={row.root} path={[]} />
            )}
          </fieldset>
        );
      })}
      <button type="button" onClick={() => update([...rows, newRule(rows.length + 1)])}>
        + rule
      </button>
    </div>
  );
}
