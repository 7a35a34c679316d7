import { VersionDiff } from './version-diff.js';
import { diffHeadline, type VersionDiffView } from './version-diff-view.js';

export interface RollbackDialogProps {
  target: number;
  /** The running version, what the diff starts from. */
  current: number;
  /** From what runs now to the target's flows: what the rollback will change. */
  diff: VersionDiffView;
  /** Undeployed edits in the editor: a rollback reloads the canvas and drops them. */
  pendingEdits: number;
  signed: boolean;
  busy: boolean;
  error: string | undefined;
  onConfirm(): void;
  onCancel(): void;
}

/** "Roll back to version N?" naming every node that will change, and warning about undeployed edits. */
export function RollbackDialog(props: RollbackDialogProps) {
  const { target, current, diff } = props;
  return (
    <div className="fe-dialog-backdrop" onKeyDown={(e) => e.key === 'Escape' && !props.busy && props.onCancel()}>
      <div className="fe-dialog" role="dialog" aria-modal="true" aria-labelledby="rollback-title">
        <h2 id="rollback-title">Roll back to version {target}?</h2>
        <p>
          The flows of version {target} are deployed again as a new version{props.signed ? ', signed with this browser\u2019s key' : ''}. What changes against
          the running version {current}: {diffHeadline(diff)}
        </p>
        {props.pendingEdits > 0 && (
          <p role="alert" className="fe-version-warning">
            You have {props.pendingEdits} undeployed change{props.pendingEdits === 1 ? '' : 's'} in the editor. The canvas reloads the rolled-back flows and
            they are lost; export them first to keep them.
          </p>
        )}
        <VersionDiff diff={diff} label={`Changes from version ${current} to version ${target}`} />
        {props.error && (
          <p role="alert" className="fe-version-error">
            {props.error}
          </p>
        )}
        <div className="fe-form-actions">
          <button type="button" onClick={props.onConfirm} disabled={props.busy}>
            {props.busy ? 'Rolling back…' : `Roll back to version ${target}`}
          </button>
          <button type="button" onClick={props.onCancel} disabled={props.busy}>
            Cancel
          </button>
        </div>
      </div>
    </div>
  );
}
