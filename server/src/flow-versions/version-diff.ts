// What changed between two flow sets, in two sizes: a capped summary kept with
// every version (the list stays small for 10,000-node flows) and the full diff
// between any two versions, with names and types so a person can read it.
import { diffFlows, type FlowDocument, type FlowItem } from '@loopedge/flows';

/** Node ids kept per list in a summary; the counts are always exact. */
export const SUMMARY_ID_CAP = 20;

export interface VersionSummary {
  added: number;
  changed: number;
  removed: number;
  /** Only positions changed. */
  moved: number;
  /** The first SUMMARY_ID_CAP ids of each list. */
  nodes: { added: string[]; changed: string[]; removed: string[] };
}

export interface DiffEntry {
  id: string;
  type: string;
  name?: string;
  /** tab or subflow */
  z?: string;
  /** For changed entries: configuration, only wires, or only position. */
  change?: 'changed' | 'rewired' | 'moved';
}

export interface VersionDiff {
  added: DiffEntry[];
  changed: DiffEntry[];
  removed: DiffEntry[];
}

export function summarizeChange(previous: FlowDocument, next: FlowDocument): VersionSummary {
  const diff = diffFlows(previous, next);
  const changed = [...diff.changed, ...diff.rewired];
  return {
    added: diff.added.length,
    changed: changed.length,
    removed: diff.removed.length,
    moved: diff.moved.length,
    nodes: { added: diff.added.slice(0, SUMMARY_ID_CAP), changed: changed.slice(0, SUMMARY_ID_CAP), removed: diff.removed.slice(0, SUMMARY_ID_CAP) },
  };
}

export function diffVersions(from: FlowDocument, to: FlowDocument): VersionDiff {
  const diff = diffFlows(from, to);
  const before = new Map(from.map((item) => [item.id, item] as const));
  const after = new Map(to.map((item) => [item.id, item] as const));
  const describe = (item: FlowItem | undefined, id: string, change?: DiffEntry['change']): DiffEntry => {
    const name = typeof item?.name === 'string' && item.name !== '' ? item.name : typeof item?.label === 'string' && item.label !== '' ? item.label : undefined;
    return {
      id,
      type: item?.type ?? 'unknown',
      ...(name !== undefined ? { name } : {}),
      ...(typeof item?.z === 'string' ? { z: item.z } : {}),
      ...(change ? { change } : {}),
    };
  };
  const changeOf = new Map<string, DiffEntry['change']>();
  for (const id of diff.changed) changeOf.set(id, 'changed');
  for (const id of diff.rewired) changeOf.set(id, 'rewired');
  for (const id of diff.moved) changeOf.set(id, 'moved');
  // Document order of the newer set, so the list reads like the flow.
  const changed = [...after.keys()].filter((id) => changeOf.has(id)).map((id) => describe(after.get(id), id, changeOf.get(id)));
  return {
    added: diff.added.map((id) => describe(after.get(id), id)),
    changed,
    removed: diff.removed.map((id) => describe(before.get(id), id)),
  };
}
