import { jsonEqual, jsonEqualExcept, type FlowItem } from '@loopedge/flows';
import { indexById, type EditorDocument } from './document.js';

export type ChangeKind = 'added' | 'changed' | 'moved';

export interface PendingChanges {
  /** Per item on the editor's side: how it differs from the deployed flows. */
  byId: Map<string, ChangeKind>;
  /** Ids deployed but no longer in the editor. */
  removed: string[];
  /** Tabs with any change inside (for the tab's marker and a "flows" deploy). */
  tabs: Set<string>;
}

const POSITION_KEYS: ReadonlySet<string> = new Set(['x', 'y', 'w', 'h']);

/** What the editor would change if deployed now (Node-RED's blue "changed" dots). */
export function pendingChanges(doc: EditorDocument, deployed: EditorDocument): PendingChanges {
  const before = indexById(deployed);
  const byId = new Map<string, ChangeKind>();
  const tabs = new Set<string>();
  const mark = (item: FlowItem, kind: ChangeKind): void => {
    byId.set(item.id, kind);
    const z = item['z'];
    if (typeof z === 'string' && z !== '') tabs.add(z);
    if (item.type === 'tab') tabs.add(item.id);
  };
  for (const item of doc) {
    const old = before.get(item.id);
    // Same object: untouched since the last load (the common case, no comparison needed).
    if (old === item) continue;
    if (!old) mark(item, 'added');
    else if (!jsonEqual(old, item)) mark(item, jsonEqualExcept(old, item, POSITION_KEYS) ? 'moved' : 'changed');
  }
  const now = new Set(doc.map((i) => i.id));
  const removed = deployed.filter((i) => !now.has(i.id)).map((i) => i.id);
  for (const item of deployed) {
    const z = item['z'];
    if (!now.has(item.id) && typeof z === 'string' && z !== '') tabs.add(z);
  }
  return { byId, removed, tabs };
}

export function hasPendingChanges(changes: PendingChanges): boolean {
  return changes.byId.size > 0 || changes.removed.length > 0;
}

export interface MergeResult {
  doc: EditorDocument;
  /** Items both sides changed differently; the editor's version was kept. */
  conflicts: string[];
  /** Items the server changed that the editor had not touched (taken from the server). */
  fromServer: string[];
}

/**
 * Three-way merge after a stale revision: `base` is what the editor loaded, `remote`
 * what the server has now, `local` the editor's edits. Untouched items take the
 * server's version, the editor's own edits stay, and both-changed items keep the
 * editor's version and are reported as conflicts for the person to check.
 */
export function mergeFlows(base: EditorDocument, local: EditorDocument, remote: EditorDocument): MergeResult {
  const baseById = indexById(base);
  const localById = indexById(local);
  const remoteById = indexById(remote);
  const conflicts: string[] = [];
  const fromServer: string[] = [];
  const out: FlowItem[] = [];
  const changed = (a: FlowItem | undefined, b: FlowItem | undefined): boolean => (a === undefined) !== (b === undefined) || (a !== undefined && b !== undefined && a !== b && !jsonEqual(a, b));
  for (const remoteItem of remote) {
    const id = remoteItem.id;
    const baseItem = baseById.get(id);
    const localItem = localById.get(id);
    const localChanged = changed(baseItem, localItem);
    const remoteChanged = changed(baseItem, remoteItem);
    if (!localChanged) {
      out.push(remoteItem);
      if (remoteChanged) fromServer.push(id);
    } else if (localItem === undefined) {
      // Deleted here: stays deleted unless the server changed it meanwhile.
      if (remoteChanged) {
        out.push(remoteItem);
        conflicts.push(id);
      }
    } else {
      out.push(localItem);
      if (remoteChanged && !jsonEqual(localItem, remoteItem)) conflicts.push(id);
    }
  }
  for (const localItem of local) {
    if (remoteById.has(localItem.id)) continue;
    if (!baseById.has(localItem.id)) out.push(localItem); // added here
    else if (changed(baseById.get(localItem.id), localItem)) {
      // Changed here, deleted on the server: keep the edit, flag it.
      out.push(localItem);
      conflicts.push(localItem.id);
    }
  }
  // Tabs first keeps Node-RED's document order readable.
  const ordered = [...out.filter((i) => i.type === 'tab'), ...out.filter((i) => i.type !== 'tab')];
  return { doc: ordered, conflicts, fromServer };
}
