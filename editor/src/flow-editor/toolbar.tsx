import { canRedo, canUndo, hasPendingChanges } from './model/index.js';
import type { EditorState } from './state/editor-store.js';
import type { DeployType } from './deploy/deploy-flows.js';

export interface ToolbarProps {
  state: EditorState;
  canEdit: boolean;
  deploying: boolean;
  deployType: DeployType;
  setDeployType(type: DeployType): void;
  onDeploy(): void;
  onUndo(): void;
  onRedo(): void;
  onImport(): void;
  onExport(): void;
  onSearch(): void;
  onGroup(): void;
  snapToGrid: boolean;
  setSnapToGrid(on: boolean): void;
  message: { kind: 'ok' | 'error'; text: string } | undefined;
  remoteDeploy: string | undefined;
  onReload(): void;
}

const DEPLOY_LABELS: Record<DeployType, string> = { full: 'Full', flows: 'Modified flows', nodes: 'Modified nodes' };

export function Toolbar(props: ToolbarProps) {
  const { state, canEdit } = props;
  const pending = hasPendingChanges(state.changes);
  const count = state.changes.byId.size + state.changes.removed.length;
  return (
    <div className="fe-toolbar" role="toolbar" aria-label="Flow editor tools">
      <button type="button" onClick={props.onUndo} disabled={!canEdit || !canUndo(state.history)} title={`Undo ${state.history.label} (Ctrl+Z)`} aria-label="Undo">
        ↶ Undo
      </button>
      <button type="button" onClick={props.onRedo} disabled={!canEdit || !canRedo(state.history)} title="Redo (Ctrl+Y)" aria-label="Redo">
        ↷ Redo
      </button>
      <button type="button" onClick={props.onGroup} disabled={!canEdit || state.selection.size === 0} title="Group the selected nodes">
        Group
      </button>
      <button type="button" onClick={props.onSearch} title="Search nodes (Ctrl+F)">
        Search
      </button>
      <button type="button" onClick={props.onImport} disabled={!canEdit} title="Import Node-RED JSON (Ctrl+I)">
        Import
      </button>
      <button type="button" onClick={props.onExport} title="Export Node-RED JSON (Ctrl+E)">
        Export
      </button>
      <label className="fe-snap">
        <input type="checkbox" checked={props.snapToGrid} onChange={(e) => props.setSnapToGrid(e.target.checked)} /> snap to grid
      </label>
      <span className="fe-toolbar-spacer" />
      {props.remoteDeploy && (
        <span className="fe-remote-deploy" role="status">
          Someone else deployed new flows.{' '}
          {!pending && (
            <button type="button" className="fe-link-button" onClick={props.onReload}>
              Load it
            </button>
          )}
        </span>
      )}
      {props.message && (
        <span className={`fe-deploy-message ${props.message.kind}`} role={props.message.kind === 'error' ? 'alert' : 'status'} data-testid="deploy-message">
          {props.message.text}
        </span>
      )}
      <span className="fe-pending" aria-live="polite">
        {pending ? `${count} change${count === 1 ? '' : 's'} not deployed` : 'no changes'}
      </span>
      <select aria-label="Deploy type" value={props.deployType} onChange={(e) => props.setDeployType(e.target.value as DeployType)} disabled={!canEdit}>
        {(Object.keys(DEPLOY_LABELS) as DeployType[]).map((type) => (
          <option key={type} value={type}>
            {DEPLOY_LABELS[type]}
          </option>
        ))}
      </select>
      <button type="button" className={`fe-deploy${pending ? ' pending' : ''}`} onClick={props.onDeploy} disabled={!canEdit || props.deploying} title={canEdit ? 'Deploy (Ctrl+D)' : 'Your role may not deploy'}>
        {props.deploying ? 'Deploying…' : 'Deploy'}
      </button>
    </div>
  );
}
