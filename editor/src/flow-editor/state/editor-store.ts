import type { FlowItem } from '@loopedge/flows';
import {
  canRedo, canUndo, copyItems, deleteItems, disconnect, parseEdgeId, pasteItems, pendingChanges, record, redo, startHistory, tabsOf, undo,
  type EditorDocument, type History, type PendingChanges,
} from '../model/index.js';

export interface EditorState {
  readonly history: History;
  /** What the server runs (as last loaded or deployed): the base for changed markers and merges. */
  readonly deployed: EditorDocument;
  readonly rev: string;
  readonly activeTab: string;
  readonly selection: ReadonlySet<string>;
  /** Selected wires, by edge id (`source:port:target`). */
  readonly selectedEdges: ReadonlySet<string>;
  readonly changes: PendingChanges;
  /** Problems of the last failed deploy, per node id. */
  readonly nodeErrors: ReadonlyMap<string, string>;
}

/**
 * The editor's one store (no React inside, so it runs in unit tests): the
 * document with its undo history, the deployed base, tab and selection.
 * Components read it with useSyncExternalStore; every edit goes through `edit`.
 */
export class FlowEditorStore {
  private state: EditorState;
  private readonly listeners = new Set<() => void>();
  private clipboard: FlowItem[] = [];

  constructor(flows: EditorDocument = [], rev = '') {
    this.state = this.fresh(flows, rev, '');
  }

  private fresh(flows: EditorDocument, rev: string, activeTab: string): EditorState {
    const tabs = tabsOf(flows);
    const tab = tabs.some((t) => t.id === activeTab) ? activeTab : tabs[0]?.id ?? '';
    return {
      history: startHistory(flows),
      deployed: flows,
      rev,
      activeTab: tab,
      selection: new Set(),
      selectedEdges: new Set(),
      changes: pendingChanges(flows, flows),
      nodeErrors: new Map(),
    };
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getState = (): EditorState => this.state;

  get doc(): EditorDocument {
    return this.state.history.present;
  }

  private set(next: Partial<EditorState>): void {
    const merged = { ...this.state, ...next };
    if (next.history && next.history.present !== this.state.history.present) {
      merged.changes = pendingChanges(next.history.present, merged.deployed);
    }
    this.state = merged;
    for (const listener of this.listeners) listener();
  }

  /** Replaces everything with the server's flows (first load, reload, after an overwrite). */
  load(flows: EditorDocument, rev: string): void {
    this.state = this.fresh(flows, rev, this.state.activeTab);
    for (const listener of this.listeners) listener();
  }

  /** After a successful deploy: what the editor holds is now what runs; history is kept. */
  markDeployed(rev: string): void {
    this.set({ deployed: this.doc, rev, changes: pendingChanges(this.doc, this.doc), nodeErrors: new Map() });
  }

  /** After a merge: the server's flows become the base, the merged document an undoable edit. */
  rebase(remote: EditorDocument, rev: string, merged: EditorDocument): void {
    this.state = { ...this.state, deployed: remote, rev };
    this.edit(() => merged, 'merge with server');
    this.set({ changes: pendingChanges(this.doc, remote) });
  }

  edit(change: (doc: EditorDocument) => EditorDocument, label: string, select?: Iterable<string>): void {
    const next = change(this.doc);
    const history = record(this.state.history, next, label);
    const update: { -readonly [K in keyof EditorState]?: EditorState[K] } = { history };
    if (select) update.selection = new Set(select);
    // Selected items that no longer exist are dropped from the selection.
    const ids = new Set(next.map((i) => i.id));
    const selection = update.selection ?? this.state.selection;
    if ([...selection].some((id) => !ids.has(id))) update.selection = new Set([...selection].filter((id) => ids.has(id)));
    this.set(update);
    this.ensureTab();
  }

  undo(): void {
    if (canUndo(this.state.history)) this.set({ history: undo(this.state.history) });
    this.ensureTab();
  }

  redo(): void {
    if (canRedo(this.state.history)) this.set({ history: redo(this.state.history) });
    this.ensureTab();
  }

  private ensureTab(): void {
    const tabs = tabsOf(this.doc);
    if (!tabs.some((t) => t.id === this.state.activeTab) && tabs[0]) this.set({ activeTab: tabs[0].id, selection: new Set() });
  }

  setActiveTab(id: string): void {
    if (id !== this.state.activeTab) this.set({ activeTab: id, selection: new Set(), selectedEdges: new Set() });
  }

  select(ids: Iterable<string>, edges: Iterable<string> = []): void {
    this.set({ selection: new Set(ids), selectedEdges: new Set(edges) });
  }

  selectAll(): void {
    this.select(this.doc.filter((i) => i['z'] === this.state.activeTab).map((i) => i.id));
  }

  setNodeErrors(errors: ReadonlyMap<string, string>): void {
    this.set({ nodeErrors: errors });
  }

  copy(): FlowItem[] {
    this.clipboard = copyItems(this.doc, this.state.selection);
    return this.clipboard;
  }

  cut(): FlowItem[] {
    const clip = this.copy();
    this.deleteSelection();
    return clip;
  }

  /** Pastes the given items (from the system clipboard) or the editor's own clipboard onto the active tab. */
  paste(items?: FlowItem[], at?: { x: number; y: number }): void {
    const clip = items ?? this.clipboard;
    if (clip.length === 0 || !this.state.activeTab) return;
    const { doc, ids } = pasteItems(this.doc, clip, this.state.activeTab, at);
    this.edit(() => doc, `paste ${ids.length} nodes`, ids);
  }

  deleteSelection(): void {
    const { selection, selectedEdges } = this.state;
    if (selection.size === 0 && selectedEdges.size === 0) return;
    this.edit((doc) => {
      let next = deleteItems(doc, selection);
      for (const edge of selectedEdges) {
        const wire = parseEdgeId(edge);
        if (wire) next = disconnect(next, wire);
      }
      return next;
    }, 'delete');
    this.set({ selection: new Set(), selectedEdges: new Set() });
  }
}
