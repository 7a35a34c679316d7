import { useCallback, useEffect, useMemo, useState, type MutableRefObject } from 'react';
import type { ApiClient } from '../../api/api-client.js';
import { errorMessage } from '../../api/api-error.js';
import type { DeploySigner, FlowsResponse } from '../deploy/deploy-flows.js';
import { RollbackDialog } from './rollback-dialog.js';
import { VersionDiff } from './version-diff.js';
import { describeVersionDiff, summaryText, type VersionDiffView, type VersionInfo } from './version-diff-view.js';
import { listVersions, rollBack, versionReader, type StoredVersion, type VersionList } from './versions-api.js';
import './versions.css';

export interface VersionsPanelProps {
  api: ApiClient;
  /** flows:write: roll back is offered (a viewer gets the list and diffs only). */
  canRollback: boolean;
  user: string;
  sign?: DeploySigner;
  /** Changes on the canvas not yet deployed (a rollback warns before dropping them). */
  pendingEdits(): number;
  /** Set while the rollback is in flight, so its live deploy event is not taken for someone else's. */
  deployInFlight: MutableRefObject<boolean>;
  /** Changes whenever the deployed flows do: the list is read again. */
  deployedRev: string;
  /** After a rollback was deployed: the editor reloads the deployed flows. */
  onRolledBack(text: string): Promise<void> | void;
  onClose(): void;
}

interface PendingRollback {
  target: StoredVersion;
  running: FlowsResponse;
  current: number;
  diff: VersionDiffView;
}

/** Flow versions beside the canvas: the list, a diff between any two, and roll back. */
export function VersionsPanel(props: VersionsPanelProps) {
  const { api } = props;
  const readVersion = useMemo(() => versionReader(api), [api]);
  const [list, setList] = useState<VersionList | undefined>();
  const [listError, setListError] = useState('');
  const [selected, setSelected] = useState<number[]>([]);
  const [diff, setDiff] = useState<{ from: number; to: number; view: VersionDiffView } | { error: string } | undefined>();
  const [rollback, setRollback] = useState<PendingRollback | undefined>();
  const [rollbackError, setRollbackError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const refresh = useCallback(async () => {
    try {
      setList(await listVersions(api));
      setListError('');
    } catch (error) {
      setListError(errorMessage(error));
    }
  }, [api]);

  useEffect(() => {
    void refresh();
  }, [refresh, props.deployedRev]);

  // Two versions ticked: the older is "from", whichever order they were picked in.
  const pair = selected.length === 2 ? ([Math.min(...selected), Math.max(...selected)] as const) : undefined;
  useEffect(() => {
    if (!pair) {
      setDiff(undefined);
      return;
    }
    let live = true;
    const [from, to] = pair;
    Promise.all([readVersion(from), readVersion(to)]).then(
      ([a, b]) => live && setDiff({ from, to, view: describeVersionDiff(a.flows, b.flows) }),
      (error: unknown) => live && setDiff({ error: `Could not read versions ${from} and ${to}: ${errorMessage(error)}` }),
    );
    return () => {
      live = false;
    };
  }, [pair?.[0], pair?.[1], readVersion]);

  const toggle = (version: number, on: boolean) =>
    // A third tick replaces the older pick, so any two can be compared in two clicks.
    setSelected((current) => (on ? [...current.filter((v) => v !== version), version].slice(-2) : current.filter((v) => v !== version)));

  const askRollback = async (version: number) => {
    setRollbackError(undefined);
    setBusy(true);
    try {
      const [target, running] = await Promise.all([readVersion(version), api.get<FlowsResponse>('/api/flows')]);
      setRollback({ target, running, current: list?.current ?? 0, diff: describeVersionDiff(running.flows, target.flows) });
    } catch (error) {
      setListError(`Could not prepare the rollback to version ${version}: ${errorMessage(error)}`);
    } finally {
      setBusy(false);
    }
  };

  const confirmRollback = async () => {
    if (!rollback) return;
    setBusy(true);
    props.deployInFlight.current = true;
    try {
      const outcome = await rollBack(api, rollback.target, rollback.running, props.user, props.sign);
      if (outcome.kind === 'failed') {
        setRollbackError(outcome.message);
        return;
      }
      setRollback(undefined);
      setSelected([]);
      const now = outcome.version !== undefined ? ` (now version ${outcome.version})` : '';
      await props.onRolledBack(`Rolled back to version ${rollback.target.version}${now}.`);
      await refresh();
    } finally {
      props.deployInFlight.current = false;
      setBusy(false);
    }
  };

  return (
    <aside className="fe-versions" aria-label="Flow versions">
      <header className="fe-versions-header">
        <h3>Flow versions</h3>
        <button type="button" onClick={() => void refresh()} title="Read the list again">
          Refresh
        </button>
        <button type="button" onClick={props.onClose} aria-label="Close versions">
          ×
        </button>
      </header>
      {listError && (
        <p role="alert" className="fe-version-error">
          {listError}
        </p>
      )}
      {list && list.versions.length === 0 && <p className="fe-muted">Nothing has been deployed yet.</p>}
      {list && list.versions.length > 0 && (
        <>
          <p className="fe-muted">Tick two versions to see what changed between them.</p>
          <div className="fe-versions-scroll">
            <table className="fe-versions-table" aria-label="Deployed versions">
              <thead>
                <tr>
                  <th scope="col">Compare</th>
                  <th scope="col">Version</th>
                  <th scope="col">Time</th>
                  <th scope="col">User</th>
                  <th scope="col">Signer</th>
                  <th scope="col">Type</th>
                  <th scope="col">Changes</th>
                  {props.canRollback && <th scope="col">Roll back</th>}
                </tr>
              </thead>
              <tbody>
                {list.versions.map((version) => (
                  <VersionRow
                    key={version.version}
                    version={version}
                    current={version.version === list.current}
                    checked={selected.includes(version.version)}
                    onToggle={(on) => toggle(version.version, on)}
                    canRollback={props.canRollback}
                    busy={busy}
                    onRollback={() => void askRollback(version.version)}
                  />
                ))}
              </tbody>
            </table>
          </div>
          {list.total > list.versions.length && <p className="fe-muted">The newest {list.versions.length} of {list.total} versions.</p>}
        </>
      )}
      {diff && 'error' in diff && (
        <p role="alert" className="fe-version-error">
          {diff.error}
        </p>
      )}
      {diff && 'view' in diff && (
        <div className="fe-versions-diff">
          <h3>
            Version {diff.from} → version {diff.to}
          </h3>
          <VersionDiff diff={diff.view} label={`Changes from version ${diff.from} to version ${diff.to}`} />
        </div>
      )}
      {rollback && (
        <RollbackDialog
          target={rollback.target.version}
          current={rollback.current}
          diff={rollback.diff}
          pendingEdits={props.pendingEdits()}
          signed={rollback.running.signing?.required === true}
          busy={busy}
          error={rollbackError}
          onConfirm={() => void confirmRollback()}
          onCancel={() => setRollback(undefined)}
        />
      )}
    </aside>
  );
}

interface VersionRowProps {
  version: VersionInfo;
  current: boolean;
  checked: boolean;
  onToggle(on: boolean): void;
  canRollback: boolean;
  busy: boolean;
  onRollback(): void;
}

function VersionRow({ version, current, checked, onToggle, canRollback, busy, onRollback }: VersionRowProps) {
  const type = version.type === 'rollback' && version.rollbackOf !== undefined ? `rollback to v${version.rollbackOf}` : version.type;
  return (
    <tr data-version={version.version} className={current ? 'current' : undefined}>
      <td>
        <input type="checkbox" checked={checked} onChange={(e) => onToggle(e.target.checked)} aria-label={`Compare version ${version.version}`} />
      </td>
      <td>
        {version.version}
        {current && <span className="fe-muted"> (running)</span>}
      </td>
      <td className="time" title={version.time}>{formatTime(version.time)}</td>
      <td>{version.user ?? '—'}</td>
      <td title={version.signer?.kid}>{version.signer?.name ?? (version.signed ? 'signed' : 'unsigned')}</td>
      <td>{type}</td>
      <td title={`${version.summary.added} added, ${version.summary.changed} changed, ${version.summary.removed} removed, ${version.summary.moved} moved`}>{summaryText(version.summary)}</td>
      {canRollback && (
        <td>
          {!current && (
            <button type="button" onClick={onRollback} disabled={busy} aria-label={`Roll back to version ${version.version}`}>
              Roll back
            </button>
          )}
        </td>
      )}
    </tr>
  );
}

function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
}
