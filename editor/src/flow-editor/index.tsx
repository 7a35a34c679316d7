import { useCallback, useEffect, useRef, useState } from 'react';
import { ReactFlowProvider, type Edge, type ReactFlowInstance } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import './flow-editor.css';
import type { ApiClient } from '../api/api-client.js';
import type { LiveClient } from '../api/live-client.js';
import type { Me } from '../api/types.js';
import { FlowCanvas } from './canvas/flow-canvas.js';
import type { FlowCanvasNode } from './canvas/flow-node.js';
import { TabBar } from './canvas/tab-bar.js';
import { Palette } from './palette/palette.js';
import { Sidebar, type SidebarTab } from './sidebar.js';
import { Toolbar } from './toolbar.js';
import { ImportDialog } from './dialogs/import-dialog.js';
import { ExportDialog } from './dialogs/export-dialog.js';
import { SearchDialog } from './dialogs/search-dialog.js';
import { StaleDialog } from './deploy/stale-dialog.js';
import { deployFlows, type DeployType, type DeploySigner, type FlowsResponse } from './deploy/deploy-flows.js';
import { addNode, groupNodes, hasPendingChanges, labelOf, mergeFlows, snap, tabsOf } from './model/index.js';
import { useEditorData } from './state/use-editor-data.js';
import { handleShortcut } from './state/keyboard.js';
import { preloadCodeEditor } from './form/property-form.js';
import { VersionsPanel } from './versions/versions-panel.js';

export interface FlowEditorPageProps {
  api: ApiClient;
  live: LiveClient;
  /** The signed-in user and permissions (flows:write decides whether Deploy is offered). */
  me: Me;
  /** Signs deploys when the device requires signed flows (editor/src/signing). */
  sign?: DeploySigner;
}

type Dialog = 'import' | 'export' | 'search' | undefined;

/** The Flows page: palette, tabs and canvas, sidebar (properties, help, debug), deploy. */
export function FlowEditorPage({ api, live, me, sign }: FlowEditorPageProps) {
  const data = useEditorData(api, live);
  const { store, state, lookup } = data;
  const canEdit = me.permissions.includes('flows:write');
  const canDebug = me.permissions.includes('debug:read');
  const [dialog, setDialog] = useState<Dialog>();
  const [sidebarTab, setSidebarTab] = useState<SidebarTab>('properties');
  const [editing, setEditing] = useState<string | undefined>();
  const [deployType, setDeployType] = useState<DeployType>('full');
  const [deploying, setDeploying] = useState(false);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | undefined>();
  const [stale, setStale] = useState<FlowsResponse | undefined>();
  const [snapToGrid, setSnapToGrid] = useState(true);
  const [versionsOpen, setVersionsOpen] = useState(false);
  const flow = useRef<ReactFlowInstance<FlowCanvasNode, Edge> | null>(null);

  const reveal = useCallback(
    (id: string) => {
      const item = store.doc.find((i) => i.id === id);
      if (!item) return;
      const z = item['z'];
      if (typeof z === 'string' && z !== '' && tabsOf(store.doc).some((t) => t.id === z)) store.setActiveTab(z);
      store.select([id]);
      setEditing(id);
      setSidebarTab('properties');
      if (typeof item['x'] === 'number' && typeof item['y'] === 'number') {
        const x = item['x'];
        const y = item['y'];
        // After the tab switch renders.
        requestAnimationFrame(() => void flow.current?.setCenter(x, y, { zoom: flow.current.getZoom(), duration: 200 }));
      }
    },
    [store],
  );

  const deploy = useCallback(
    async (type: DeployType = deployType, overwriteRev?: string) => {
      if (!canEdit || deploying) return;
      setDeploying(true);
      data.deployInFlight.current = true;
      setMessage(undefined);
      // Restarted nodes start without a status; new statuses may arrive before the deploy's answer.
      data.statuses.clear();
      try {
        const outcome = await deployFlows(api, store.doc, overwriteRev ?? store.getState().rev, type, data.signing, me.user.username, sign);
        if (outcome.kind === 'deployed') {
          store.markDeployed(outcome.rev);
          setMessage({ kind: 'ok', text: 'Deployed.' });
          // The next signed deploy names the new version and hash.
          if (data.signing) void api.get<FlowsResponse>('/api/flows').then((answer) => data.setSigning(answer.signing), () => undefined);
        } else if (outcome.kind === 'stale') {
          setStale(outcome.remote);
        } else {
          store.setNodeErrors(outcome.problems);
          setMessage({ kind: 'error', text: outcome.message });
          const first = [...outcome.problems.keys()][0];
          if (first) reveal(first);
        }
      } finally {
        data.deployInFlight.current = false;
        setDeploying(false);
      }
    },
    [api, canEdit, deploying, deployType, store, data, sign, reveal, me.user.username],
  );

  const addAtCentre = useCallback(
    (type: string) => {
      const rf = flow.current;
      const pane = document.querySelector('.fe-canvas')?.getBoundingClientRect();
      const point = rf && pane ? rf.screenToFlowPosition({ x: pane.left + pane.width / 2, y: pane.top + pane.height / 2 }) : { x: 200, y: 200 };
      const info = lookup(type);
      let id = '';
      store.edit((doc) => {
        const added = addNode(doc, { type, z: store.getState().activeTab, x: snap(point.x), y: snap(point.y), ...(info ? { info } : {}) });
        id = added.id;
        return added.doc;
      }, `add ${type}`);
      store.select([id]);
    },
    [store, lookup],
  );

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const handled = handleShortcut(
        event,
        {
          deploy: () => void deploy(),
          deleteSelection: () => store.deleteSelection(),
          undo: () => store.undo(),
          redo: () => store.redo(),
          selectAll: () => store.selectAll(),
          copy: () => {
            const clip = store.copy();
            if (clip.length > 0) void navigator.clipboard?.writeText(JSON.stringify(clip)).catch(() => undefined);
          },
          cut: () => void store.cut(),
          paste: () => store.paste(),
          search: () => setDialog('search'),
          importFlows: () => setDialog('import'),
          exportFlows: () => setDialog('export'),
        },
        canEdit,
      );
      if (handled) event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store, deploy, canEdit]);

  const somethingSelected = state.selection.size > 0;
  useEffect(() => {
    if (somethingSelected) void preloadCodeEditor().catch(() => undefined);
  }, [somethingSelected]);

  // Leaving the page with undeployed edits asks first: nothing is lost by a stray reload.
  useEffect(() => {
    const onLeave = (event: BeforeUnloadEvent) => {
      if (hasPendingChanges(store.getState().changes)) event.preventDefault();
    };
    window.addEventListener('beforeunload', onLeave);
    return () => window.removeEventListener('beforeunload', onLeave);
  }, [store]);

  if (!data.loaded) {
    return <main className="fe-page fe-loading">{data.loadError ? <p role="alert">{data.loadError}</p> : <p role="status">Loading flows…</p>}</main>;
  }

  const tabs = tabsOf(state.history.present);
  const selectedOne = state.selection.size === 1 ? [...state.selection][0] : undefined;
  const editingId = editing && state.history.present.some((i) => i.id === editing) ? editing : selectedOne;

  return (
    <main className="fe-page" aria-label="Flow editor">
      <div className="fe-toolbar-row">
        <Toolbar
          state={state}
          canEdit={canEdit}
          deploying={deploying}
          deployType={deployType}
          setDeployType={setDeployType}
          onDeploy={() => void deploy()}
          onUndo={() => store.undo()}
          onRedo={() => store.redo()}
          onImport={() => setDialog('import')}
          onExport={() => setDialog('export')}
          onSearch={() => setDialog('search')}
          onGroup={() => store.edit((doc) => groupNodes(doc, [...state.selection]).doc, 'group')}
          snapToGrid={snapToGrid}
          setSnapToGrid={setSnapToGrid}
          message={message}
          remoteDeploy={data.remoteDeploy}
          onReload={() => void data.reload()}
        />
        <button type="button" className="fe-versions-toggle" aria-pressed={versionsOpen} onClick={() => setVersionsOpen((open) => !open)} title="Deployed versions: compare, roll back">
          Versions
        </button>
      </div>
      <div className="fe-body">
        <Palette nodeTypes={data.nodeTypes} disabled={!canEdit} onAdd={addAtCentre} />
        <section className="fe-workspace" aria-label="Canvas">
          <TabBar store={store} tabs={tabs} activeTab={state.activeTab} changedTabs={state.changes.tabs} readOnly={!canEdit} />
          {/* One provider per tab: each tab opens with its own viewport. */}
          <ReactFlowProvider key={state.activeTab}>
            <FlowCanvas
              store={store}
              state={state}
              lookup={lookup}
              statuses={data.statuses}
              readOnly={!canEdit}
              snapToGrid={snapToGrid}
              onOpenNode={(id) => {
                setEditing(id);
                setSidebarTab('properties');
              }}
              onInit={(rf) => (flow.current = rf)}
            />
          </ReactFlowProvider>
        </section>
        <Sidebar
          tab={sidebarTab}
          setTab={setSidebarTab}
          api={api}
          live={live}
          store={store}
          state={state}
          lookup={lookup}
          editingId={editingId}
          canEdit={canEdit}
          canDebug={canDebug}
          onEditNode={(id) => setEditing(id)}
          onCloseForm={() => {
            setEditing(undefined);
            store.select([]);
          }}
          onReveal={reveal}
          labelOf={(id) => {
            const item = store.doc.find((i) => i.id === id);
            return item ? labelOf(item, lookup, store.doc) : id;
          }}
        />
        {versionsOpen && (
          <VersionsPanel
            api={api}
            canRollback={canEdit}
            user={me.user.username}
            {...(sign ? { sign } : {})}
            pendingEdits={() => store.getState().changes.byId.size + store.getState().changes.removed.length}
            deployInFlight={data.deployInFlight}
            deployedRev={state.rev}
            onRolledBack={async (text) => {
              // The canvas shows what now runs (a draft of undeployed edits was made on the old revision and is dropped; the confirmation warned).
              await data.reload();
              setMessage({ kind: 'ok', text });
            }}
            onClose={() => setVersionsOpen(false)}
          />
        )}
      </div>
      {dialog === 'import' && (
        <ImportDialog
          store={store}
          lookup={lookup}
          onClose={() => setDialog(undefined)}
          // Bring what was imported into view (after the canvas has drawn it).
          onImported={(ids) => setTimeout(() => void flow.current?.fitView({ nodes: ids.map((id) => ({ id })), maxZoom: 1, padding: 0.3 }), 50)}
        />
      )}
      {dialog === 'export' && <ExportDialog store={store} onClose={() => setDialog(undefined)} />}
      {dialog === 'search' && <SearchDialog store={store} lookup={lookup} onReveal={reveal} onClose={() => setDialog(undefined)} />}
      {stale && (
        <StaleDialog
          base={state.deployed}
          remote={stale}
          onCancel={() => setStale(undefined)}
          onMerge={() => {
            const merged = mergeFlows(state.deployed, store.doc, stale.flows);
            store.rebase(stale.flows, stale.rev, merged.doc);
            setStale(undefined);
            setMessage({
              kind: merged.conflicts.length > 0 ? 'error' : 'ok',
              text: `Merged with the server's flows${merged.conflicts.length > 0 ? `; your version was kept for ${merged.conflicts.length} node(s) changed on both sides: ${merged.conflicts.join(', ')}` : ''}. Check and deploy again.`,
            });
          }}
          onOverwrite={() => {
            const rev = stale.rev;
            setStale(undefined);
            void deploy(deployType, rev);
          }}
        />
      )}
    </main>
  );
}
