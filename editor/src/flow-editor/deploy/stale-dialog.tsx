import { useMemo } from 'react';
import { diffFlows, diffSummary } from '@loopedge/flows';
import type { EditorDocument } from '../model/index.js';
import type { FlowsResponse } from './deploy-flows.js';

export interface StaleDialogProps {
  base: EditorDocument;
  remote: FlowsResponse;
  onMerge(): void;
  onOverwrite(): void;
  onCancel(): void;
}

/** Someone deployed since this editor loaded: show what changed on the server, then merge or overwrite. */
export function StaleDialog({ base, remote, onMerge, onOverwrite, onCancel }: StaleDialogProps) {
  const diff = useMemo(() => diffFlows([...base], remote.flows), [base, remote]);
  const summary = useMemo(() => diffSummary(diff), [diff]);
  return (
    <div className="fe-dialog-backdrop" onKeyDown={(e) => e.key === 'Escape' && onCancel()}>
      <div className="fe-dialog" role="dialog" aria-modal="true" aria-labelledby="stale-title">
        <h2 id="stale-title">The flows changed on the server</h2>
        <p>Someone deployed since you loaded the flows (now revision {remote.rev}). What changed on the server:</p>
        <pre className="fe-diff-summary">{summary || 'only the revision changed'}</pre>
        <p>
          <strong>Merge</strong> keeps your edits and takes the server's other changes (you deploy again after checking);
          <strong> Overwrite</strong> deploys your flows over the server's.
        </p>
        <div className="fe-form-actions">
          <button type="button" onClick={onMerge}>
            Merge
          </button>
          <button type="button" onClick={onOverwrite}>
            Overwrite
          </button>
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </div>
    </div>
  );
}
