import { useState } from 'react';
import type { FlowTab } from '@loopedge/flows';
import { addTab, deleteItems, reorderTab, updateNode } from '../model/index.js';
import type { FlowEditorStore } from '../state/editor-store.js';

export interface TabBarProps {
  store: FlowEditorStore;
  tabs: readonly FlowTab[];
  activeTab: string;
  changedTabs: ReadonlySet<string>;
  readOnly: boolean;
}

/** Flow tabs: select, add, rename (double-click), disable, reorder, delete. */
export function TabBar({ store, tabs, activeTab, changedTabs, readOnly }: TabBarProps) {
  const [renaming, setRenaming] = useState<string | undefined>();
  const [draft, setDraft] = useState('');
  const index = tabs.findIndex((t) => t.id === activeTab);
  const active = tabs[index];

  const finishRename = (tab: FlowTab) => {
    const label = draft.trim();
    if (label && label !== tab.label) store.edit((doc) => updateNode(doc, tab.id, { label }), 'rename flow');
    setRenaming(undefined);
  };

  return (
    <div className="fe-tabbar">
      <div role="tablist" aria-label="Flows" className="fe-tabs">
        {tabs.map((tab) =>
          renaming === tab.id ? (
            <input
              key={tab.id}
              className="fe-tab-rename"
              aria-label="Flow name"
              autoFocus
              value={draft}
              onChange={(e) => setDraft(e.target.value)}
              onBlur={() => finishRename(tab)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') finishRename(tab);
                if (e.key === 'Escape') setRenaming(undefined);
              }}
            />
          ) : (
            <button
              key={tab.id}
              type="button"
              role="tab"
              aria-selected={tab.id === activeTab}
              className={`fe-tab${tab.id === activeTab ? ' active' : ''}${tab.disabled ? ' disabled' : ''}`}
              onClick={() => store.setActiveTab(tab.id)}
              onDoubleClick={() => {
                if (readOnly) return;
                setDraft(tab.label ?? '');
                setRenaming(tab.id);
              }}
              title={tab.disabled ? 'disabled flow' : 'double-click to rename'}
            >
              {tab.label ?? tab.id}
              {changedTabs.has(tab.id) && <span className="fe-changed-dot" aria-label="changed, not deployed" />}
            </button>
          ),
        )}
      </div>
      {!readOnly && (
        <div className="fe-tab-actions">
          <button
            type="button"
            aria-label="Add flow"
            title="Add flow"
            onClick={() => {
              let id = '';
              store.edit((doc) => {
                const added = addTab(doc);
                id = added.id;
                return added.doc;
              }, 'add flow');
              store.setActiveTab(id);
            }}
          >
            +
          </button>
          {active && (
            <>
              <button type="button" aria-label="Rename flow" title="Rename flow" onClick={() => { setDraft(active.label ?? ''); setRenaming(active.id); }}>
                ✎
              </button>
              <button type="button" aria-label="Move flow left" title="Move flow left" disabled={index <= 0} onClick={() => store.edit((doc) => reorderTab(doc, active.id, index - 1), 'move flow')}>
                ◀
              </button>
              <button type="button" aria-label="Move flow right" title="Move flow right" disabled={index >= tabs.length - 1} onClick={() => store.edit((doc) => reorderTab(doc, active.id, index + 1), 'move flow')}>
                ▶
              </button>
              <label className="fe-tab-toggle">
                <input type="checkbox" checked={active.disabled !== true} onChange={(e) => store.edit((doc) => updateNode(doc, active.id, { disabled: !e.target.checked }), e.target.checked ? 'enable flow' : 'disable flow')} />
                enabled
              </label>
              <button type="button" aria-label="Delete flow" title="Delete flow" disabled={tabs.length <= 1} onClick={() => store.edit((doc) => deleteItems(doc, [active.id]), 'delete flow')}>
                Delete
              </button>
            </>
          )}
        </div>
      )}
    </div>
  );
}
