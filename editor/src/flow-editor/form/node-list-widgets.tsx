import { useState } from 'react';
import type { FlowItem } from '@loopedge/flows';
import { addNode, isConfigItem, type NodeTypeLookup } from '../model/index.js';
import type { FlowEditorStore } from '../state/editor-store.js';
import { configFamilyTypes, idListOf, nodeLabel, scopeCandidates, scopeFor, scopeIdsOf, scopeModeOf, toggleId, type ScopeMode } from './node-list-model.js';

export interface NodeListWidgetProps {
  id: string;
  item: FlowItem;
  value: unknown;
  /** complete nodes always store a list; catch and status may also say "all" or "group". */
  listOnly: boolean;
  store: FlowEditorStore;
  lookup: NodeTypeLookup;
  onChange(scope: null | 'group' | string[]): void;
}

/** The scope of a catch, status or complete node: all nodes on the tab, the node's group, or nodes picked from a list. */
export function NodeListWidget({ id, item, value, listOnly, store, lookup, onChange }: NodeListWidgetProps) {
  const [filter, setFilter] = useState('');
  const mode = listOnly ? 'selected' : scopeModeOf(value);
  const ids = scopeIdsOf(value);
  const candidates = scopeCandidates(store.doc, item, (c) => isConfigItem(c, lookup));
  const shown = candidates.filter((c) => nodeLabel(c).toLowerCase().includes(filter.toLowerCase()));
  const missing = ids.filter((x) => !candidates.some((c) => c.id === x));
  return (
    <div className="fe-node-list" id={id} role="group" aria-label="Scope">
      {!listOnly && (
        <select aria-label="Scope mode" value={mode} onChange={(e) => onChange(scopeFor(e.target.value as ScopeMode, ids, false))}>
          <option value="all">all nodes on this flow</option>
          <option value="group">nodes in the same group</option>
          <option value="selected">selected nodes</option>
        </select>
      )}
      {mode === 'selected' && (
        <>
          <input type="search" aria-label="Filter nodes" placeholder="filter nodes" value={filter} onChange={(e) => setFilter(e.target.value)} />
          <ul className="fe-node-list-items" aria-label="Nodes in scope">
            {shown.map((c) => (
              <li key={c.id}>
                <label>
                  <input type="checkbox" checked={ids.includes(c.id)} onChange={(e) => onChange(scopeFor('selected', toggleId(ids, c.id, e.target.checked), listOnly))} /> {nodeLabel(c)}
                </label>
              </li>
            ))}
            {missing.map((x) => (
              <li key={x}>
                <label>
                  <input type="checkbox" checked onChange={() => onChange(scopeFor('selected', toggleId(ids, x, false), listOnly))} /> missing node {x}
                </label>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

export interface ConfigNodeListWidgetProps {
  id: string;
  /** The hint after `config-node-list:`: a family (notifier) or types. */
  family: string;
  value: unknown;
  store: FlowEditorStore;
  lookup: NodeTypeLookup;
  onChange(ids: string[]): void;
  onEditNode(id: string): void;
}

/** Several config nodes of the listed types (e.g. an alert's notifiers), each removable, with "add new" in place. */
export function ConfigNodeListWidget({ id, family, value, store, lookup, onChange, onEditNode }: ConfigNodeListWidgetProps) {
  const ids = idListOf(value);
  const docTypes = [...new Set(store.doc.map((i) => i.type))];
  const types = configFamilyTypes(family, docTypes, (t) => lookup(t) !== undefined || docTypes.includes(t));
  const candidates = store.doc.filter((i) => types.includes(i.type));
  const [newType, setNewType] = useState(types[0] ?? '');
  const labelOf = (x: string): string => {
    const found = store.doc.find((i) => i.id === x);
    return found ? nodeLabel(found) : `missing node ${x}`;
  };
  const addNew = () => {
    const type = newType || types[0];
    if (!type) return;
    const info = lookup(type);
    let newId = '';
    store.edit((doc) => {
      const added = addNode(doc, { type, z: '', x: 0, y: 0, ...(info ? { info: { ...info, configNode: true } } : {}) });
      newId = added.id;
      return added.doc;
    }, `add ${type}`);
    onChange([...ids, newId]);
  };
  const addable = candidates.filter((c) => !ids.includes(c.id));
  return (
    <div className="fe-config-list" id={id} role="group" aria-label={`${family} list`}>
      <ul aria-label={`Chosen ${family} nodes`}>
        {ids.map((x) => (
          <li key={x}>
            <span>{labelOf(x)}</span>
            <button type="button" aria-label={`Edit ${labelOf(x)}`} disabled={!candidates.some((c) => c.id === x)} onClick={() => onEditNode(x)}>
              Edit
            </button>
            <button type="button" aria-label={`Remove ${labelOf(x)}`} onClick={() => onChange(ids.filter((y) => y !== x))}>
              ✕
            </button>
          </li>
        ))}
      </ul>
      {addable.length > 0 && (
        <select aria-label={`Add an existing ${family}`} value="" onChange={(e) => e.target.value && onChange([...ids, e.target.value])}>
          <option value="">add existing…</option>
          {addable.map((c) => (
            <option key={c.id} value={c.id}>
              {nodeLabel(c)}
            </option>
          ))}
        </select>
      )}
      {types.length > 1 && (
        <select aria-label={`Type of new ${family}`} value={newType} onChange={(e) => setNewType(e.target.value)}>
          {types.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      )}
      <button type="button" onClick={addNew} disabled={types.length === 0} aria-label={`Add new ${family}`}>
        Add new…
      </button>
    </div>
  );
}
