import { useState } from 'react';
import { importFlows, type ImportProblem, type NodeTypeLookup } from '../model/index.js';
import type { FlowEditorStore } from '../state/editor-store.js';

/** Import Node-RED JSON from pasted text or a file; invalid imports list the problem per node. */
export function ImportDialog({ store, lookup, onClose, onImported }: { store: FlowEditorStore; lookup: NodeTypeLookup; onClose(): void; onImported(ids: string[]): void }) {
  const [text, setText] = useState('');
  const [problems, setProblems] = useState<ImportProblem[]>([]);
  const run = () => {
    const state = store.getState();
    const result = importFlows(store.doc, text, state.activeTab, lookup);
    if (!result.ok) return setProblems(result.problems);
    store.edit(() => result.doc, `import ${result.ids.length} nodes`, result.ids);
    const firstTab = result.doc.find((i) => result.ids.includes(i.id) && i.type === 'tab');
    if (firstTab) store.setActiveTab(firstTab.id);
    const shown = result.ids.filter((id) => result.doc.find((i) => i.id === id)?.['z'] === store.getState().activeTab);
    store.select(shown);
    onClose();
    onImported(shown);
  };
  return (
    <div className="fe-dialog-backdrop" onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <div className="fe-dialog" role="dialog" aria-modal="true" aria-labelledby="import-title">
        <h2 id="import-title">Import nodes</h2>
        <label htmlFor="import-text">Paste Node-RED flow JSON</label>
        <textarea id="import-text" rows={12} value={text} onChange={(e) => setText(e.target.value)} autoFocus />
        <label htmlFor="import-file">or choose a file</label>
        <input id="import-file" type="file" accept=".json,application/json" onChange={(e) => void e.target.files?.[0]?.text().then(setText)} />
        {problems.length > 0 && (
          <div role="alert" className="fe-import-problems">
            <p>Nothing was imported:</p>
            <ul>
              {problems.map((p, i) => (
                <li key={i}>
                  <strong>{p.what}</strong> {p.field !== '$' ? <code>{p.field}</code> : null}: {p.reason}
                </li>
              ))}
            </ul>
          </div>
        )}
        <div className="fe-form-actions">
          <button type="button" onClick={run} disabled={text.trim() === ''}>
            Import
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </div>
    </div>
  );
}
