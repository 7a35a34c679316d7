import { useMemo, useState } from 'react';
import { exportFlows } from '../model/index.js';
import type { FlowEditorStore } from '../state/editor-store.js';

type Scope = 'selection' | 'tab' | 'all';

/** Export as Node-RED JSON: selection, current flow or everything; copy or download. */
export function ExportDialog({ store, onClose }: { store: FlowEditorStore; onClose(): void }) {
  const state = store.getState();
  const [scope, setScope] = useState<Scope>(state.selection.size > 0 ? 'selection' : 'tab');
  const [copied, setCopied] = useState('');
  const text = useMemo(() => {
    if (scope === 'all') return exportFlows(store.doc);
    if (scope === 'tab') return exportFlows(store.doc, [state.activeTab]);
    return exportFlows(store.doc, state.selection);
  }, [scope, store, state]);
  const download = () => {
    const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = 'flows.json';
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <div className="fe-dialog-backdrop" onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <div className="fe-dialog" role="dialog" aria-modal="true" aria-labelledby="export-title">
        <h2 id="export-title">Export nodes</h2>
        <div role="radiogroup" aria-label="What to export">
          {(['selection', 'tab', 'all'] as const).map((s) => (
            <label key={s}>
              <input type="radio" name="export-scope" checked={scope === s} disabled={s === 'selection' && state.selection.size === 0} onChange={() => setScope(s)} />
              {s === 'selection' ? 'selected nodes' : s === 'tab' ? 'current flow' : 'all flows'}
            </label>
          ))}
        </div>
        <textarea aria-label="Exported JSON" rows={12} readOnly value={text} />
        {copied && <p role="status">{copied}</p>}
        <div className="fe-form-actions">
          <button type="button" onClick={() => void navigator.clipboard?.writeText(text).then(() => setCopied('Copied to the clipboard.'), () => setCopied('The browser refused the clipboard; select the text and copy it.'))}>
            Copy to clipboard
          </button>
          <button type="button" onClick={download}>
            Download
          </button>
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}
