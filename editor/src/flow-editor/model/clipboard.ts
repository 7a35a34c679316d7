import type { FlowItem } from '@loopedge/flows';
import { newItemId, wiresOf, type EditorDocument } from './document.js';

/**
 * Copy and paste as Node-RED does it: the clipboard is plain flow JSON (so it can
 * go through the system clipboard and into Node-RED), pasted nodes get new ids,
 * and only wires between pasted nodes survive.
 */

/** The selected items plus the members of selected groups, as flow JSON. */
export function copyItems(doc: EditorDocument, ids: Iterable<string>): FlowItem[] {
  const wanted = new Set(ids);
  for (const item of doc) {
    if (item.type === 'group' && wanted.has(item.id)) for (const member of (item['nodes'] as string[] | undefined) ?? []) wanted.add(member);
  }
  return doc.filter((item) => wanted.has(item.id) && item.type !== 'tab' && item.type !== 'subflow').map((item) => structuredClone(item));
}

export interface PasteResult {
  doc: EditorDocument;
  /** The ids of the pasted items, to select them. */
  ids: string[];
}

/**
 * Pastes clipboard items onto tab `z`, shifted so their top-left corner lands at `at`
 * (or offset by one grid step when not given). Config nodes already in the document
 * are not duplicated: references to them keep working.
 */
export function pasteItems(doc: EditorDocument, clip: readonly FlowItem[], z: string, at?: { x: number; y: number }, makeId: () => string = newItemId): PasteResult {
  const existing = new Set(doc.map((i) => i.id));
  const onCanvas = clip.filter((item) => typeof item['x'] === 'number' || item.type === 'group');
  const config = clip.filter((item) => !onCanvas.includes(item) && !existing.has(item.id));
  const idMap = new Map<string, string>(onCanvas.map((item) => [item.id, makeId()]));
  for (const item of config) idMap.set(item.id, existing.has(item.id) ? item.id : makeId());
  const xs = onCanvas.map((i) => Number(i['x'] ?? 0));
  const ys = onCanvas.map((i) => Number(i['y'] ?? 0));
  const dx = at && xs.length > 0 ? at.x - Math.min(...xs) : 20;
  const dy = at && ys.length > 0 ? at.y - Math.min(...ys) : 20;
  const pasted: FlowItem[] = [];
  for (const item of onCanvas) {
    const copy: FlowItem = { ...structuredClone(item), id: idMap.get(item.id)!, z };
    copy['x'] = Number(item['x'] ?? 0) + dx;
    copy['y'] = Number(item['y'] ?? 0) + dy;
    if (Array.isArray(item['wires'])) copy['wires'] = wiresOf(item).map((port) => port.filter((t) => idMap.has(t)).map((t) => idMap.get(t)!));
    if (Array.isArray(item['links'])) copy['links'] = (item['links'] as string[]).filter((t) => idMap.has(t)).map((t) => idMap.get(t)!);
    if (typeof item['g'] === 'string') {
      if (idMap.has(item['g'])) copy['g'] = idMap.get(item['g']);
      else delete copy['g'];
    }
    if (item.type === 'group') copy['nodes'] = ((item['nodes'] as string[] | undefined) ?? []).filter((m) => idMap.has(m)).map((m) => idMap.get(m)!);
    // A reference to a config node that was copied along follows its new id.
    for (const [key, value] of Object.entries(copy)) {
      if (typeof value === 'string' && key !== 'id' && key !== 'z' && key !== 'g' && config.some((c) => c.id === value)) copy[key] = idMap.get(value);
    }
    pasted.push(copy);
  }
  for (const item of config) pasted.push({ ...structuredClone(item), id: idMap.get(item.id)! });
  return { doc: [...doc, ...pasted], ids: pasted.map((p) => p.id) };
}
