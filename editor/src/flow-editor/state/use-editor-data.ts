import { useEffect, useMemo, useRef, useState, useSyncExternalStore, type MutableRefObject } from 'react';
import type { ApiClient } from '../../api/api-client.js';
import { errorMessage } from '../../api/api-error.js';
import type { LiveClient } from '../../api/live-client.js';
import type { NodeTypeInfo, NodeTypeLookup } from '../model/index.js';
import type { FlowsResponse } from '../deploy/deploy-flows.js';
import { hasPendingChanges, type EditorDocument } from '../model/index.js';
import { FlowEditorStore, type EditorState } from './editor-store.js';
import { StatusStore, type NodeStatusView } from './status-store.js';

export interface EditorData {
  store: FlowEditorStore;
  state: EditorState;
  statuses: StatusStore;
  nodeTypes: NodeTypeInfo[];
  lookup: NodeTypeLookup;
  signing: FlowsResponse['signing'];
  setSigning(signing: FlowsResponse['signing']): void;
  loadError: string;
  loaded: boolean;
  /** Set when someone else deployed (live `deploy` event with another revision). */
  remoteDeploy: string | undefined;
  reload(): Promise<void>;
  /** True while this editor's own deploy is in flight (its live `deploy` event is not someone else's). */
  deployInFlight: MutableRefObject<boolean>;
}

/** Loads node types and flows, and feeds live statuses into the status store. */
export function useEditorData(api: ApiClient, live: LiveClient): EditorData {
  const store = useMemo(() => new FlowEditorStore(), []);
  const statuses = useMemo(() => new StatusStore(), []);
  const state = useSyncExternalStore(store.subscribe, store.getState);
  const [nodeTypes, setNodeTypes] = useState<NodeTypeInfo[]>([]);
  const [signing, setSigning] = useState<FlowsResponse['signing']>();
  const [loadError, setLoadError] = useState('');
  const [loaded, setLoaded] = useState(false);
  const [remoteDeploy, setRemoteDeploy] = useState<string | undefined>();
  const deployInFlight = useRef(false);

  const reload = useMemo(
    () => async () => {
      try {
        const [types, flows] = await Promise.all([api.get<{ nodeTypes: NodeTypeInfo[] }>('/api/nodes'), api.get<FlowsResponse>('/api/flows')]);
        setNodeTypes(types.nodeTypes);
        let doc = flows.flows;
        // A fresh device has no tab: give the editor one to draw on (it deploys with the first edit).
        if (!doc.some((i) => i.type === 'tab')) doc = [{ id: 'f1a7e0000000000a', type: 'tab', label: 'Flow 1', disabled: false, info: '', env: [] }, ...doc];
        store.load(doc, flows.rev);
        restoreDraft(store, flows.rev);
        setSigning(flows.signing);
        setRemoteDeploy(undefined);
        setLoadError('');
        setLoaded(true);
      } catch (error) {
        setLoadError(errorMessage(error));
      }
    },
    [api, store],
  );

  useEffect(() => {
    void reload();
  }, [reload]);

  useEffect(() => {
    const offStatus = live.on('node-status', (payload) => {
      const event = payload as { id?: string; status?: NodeStatusView };
      if (typeof event?.id === 'string') statuses.set(event.id, event.status);
    });
    const offDeploy = live.on('deploy', (payload) => {
      const event = payload as { ok?: boolean };
      if (!event?.ok || deployInFlight.current) return;
      // The event carries the engine's deploy counter, not the API revision: ask whether the flows moved on.
      api.get<FlowsResponse>('/api/flows').then(
        (answer) => {
          if (!deployInFlight.current && answer.rev !== store.getState().rev) setRemoteDeploy(answer.rev);
        },
        () => undefined,
      );
    });
    return () => {
      offStatus();
      offDeploy();
    };
  }, [api, live, statuses, store]);

  // Undeployed edits survive a reload or a lost session: kept in this tab's sessionStorage until deployed.
  useEffect(() => {
    const timer = setTimeout(() => saveDraft(state), 500);
    return () => clearTimeout(timer);
  }, [state.history.present, state.deployed, state.rev]);

  // Our own deploy's event can arrive before its HTTP answer: once the store has that revision, it is not "someone else's".
  useEffect(() => {
    if (remoteDeploy !== undefined && remoteDeploy === state.rev) setRemoteDeploy(undefined);
  }, [remoteDeploy, state.rev]);

  const lookup = useMemo<NodeTypeLookup>(() => {
    const byType = new Map(nodeTypes.map((t) => [t.type, t]));
    return (type) => byType.get(type);
  }, [nodeTypes]);

  return { store, state, statuses, nodeTypes, lookup, signing, setSigning, loadError, loaded, remoteDeploy, reload, deployInFlight };
}

const DRAFT_KEY = 'loopedge.flow-editor.draft';

function saveDraft(state: EditorState): void {
  try {
    if (!state.rev) return;
    if (hasPendingChanges(state.changes)) sessionStorage.setItem(DRAFT_KEY, JSON.stringify({ rev: state.rev, doc: state.history.present }));
    else sessionStorage.removeItem(DRAFT_KEY);
  } catch {
    // Storage full or disabled: the edits stay in memory only.
  }
}

/** Re-applies saved edits made on top of the same revision (an undoable step); a draft for another revision is dropped. */
function restoreDraft(store: FlowEditorStore, rev: string): void {
  try {
    const text = sessionStorage.getItem(DRAFT_KEY);
    if (!text) return;
    const draft = JSON.parse(text) as { rev?: string; doc?: EditorDocument };
    if (draft.rev === rev && Array.isArray(draft.doc)) store.edit(() => draft.doc!, 'restore undeployed edits');
    else sessionStorage.removeItem(DRAFT_KEY);
  } catch {
    // A damaged draft is not worth an error.
  }
}
