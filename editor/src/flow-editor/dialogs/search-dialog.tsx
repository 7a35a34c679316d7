import { useMemo, useState } from 'react';
import { searchNodes, type NodeTypeLookup } from '../model/index.js';
import type { FlowEditorStore } from '../state/editor-store.js';

/** Ctrl+F: find nodes by name, type or property; Enter or click reveals the node. */
export function SearchDialog({ store, lookup, onReveal, onClose }: { store: FlowEditorStore; lookup: NodeTypeLookup; onReveal(id: string): void; onClose(): void }) {
  const [query, setQuery] = useState('');
  const hits = useMemo(() => searchNodes(store.doc, query, lookup), [store, query, lookup]);
  const tabLabel = (z: string): string => {
    const tab = store.doc.find((i) => i.id === z);
    return typeof tab?.['label'] === 'string' ? tab['label'] : typeof tab?.['name'] === 'string' ? tab['name'] : z || 'global';
  };
  return (
    <div className="fe-dialog-backdrop" onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <div className="fe-dialog fe-search" role="dialog" aria-modal="true" aria-label="Search nodes">
        <input
          type="search"
          aria-label="Search nodes"
          placeholder="name, type or property"
          autoFocus
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && hits[0]) {
              onReveal(hits[0].id);
              onClose();
            }
          }}
        />
        <ul className="fe-search-hits">
          {hits.map((hit) => (
            <li key={hit.id}>
              <button type="button" onClick={() => { onReveal(hit.id); onClose(); }}>
                <strong>{hit.label}</strong> <span className="fe-muted">{hit.type} · {tabLabel(hit.z)} · {hit.field}</span>
              </button>
            </li>
          ))}
        </ul>
        {query && hits.length === 0 && <p className="fe-muted">No node matches.</p>}
      </div>
    </div>
  );
}
