import { validateFlowDocument, type FlowItem, type FlowProblem } from '@loopedge/flows';
import { newItemId, wiresOf, type EditorDocument, type NodeTypeLookup } from './document.js';

export interface ImportProblem {
  nodeId?: string;
  /** The node's type and name, so the list reads well even for nodes that never made it in. */
  what: string;
  field: string;
  reason: string;
}

export type ImportResult = { ok: true; doc: EditorDocument; ids: string[] } | { ok: false; problems: ImportProblem[] };

/**
 * Imports Node-RED JSON text into the document. Items whose id is already taken get
 * new ids (with wires, links, groups and config references following them); nodes
 * whose tab is not part of the import land on `currentTab`. The result is checked
 * with the same validation the server runs, and problems are listed per node.
 */
export function importFlows(doc: EditorDocument, text: string, currentTab: string, lookup?: NodeTypeLookup, makeId: () => string = newItemId): ImportResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [{ what: 'the text', field: '$', reason: `it is not JSON (${(error as Error).message}); paste a Node-RED export` }] };
  }
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) parsed = [parsed];
  if (!Array.isArray(parsed)) return { ok: false, problems: [{ what: 'the text', field: '$', reason: 'a Node-RED export is a JSON array of nodes' }] };
  const shapeProblems: ImportProblem[] = [];
  parsed.forEach((item: unknown, index) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) shapeProblems.push({ what: `item ${index + 1}`, field: `$[${index}]`, reason: 'not an object' });
    else if (typeof (item as FlowItem).id !== 'string' || typeof (item as FlowItem).type !== 'string') shapeProblems.push({ what: `item ${index + 1}`, field: `$[${index}]`, reason: 'needs a string id and type' });
  });
  if (shapeProblems.length > 0) return { ok: false, problems: shapeProblems };
  const incoming = parsed as FlowItem[];
  const taken = new Set(doc.map((i) => i.id));
  const idMap = new Map<string, string>(incoming.map((item) => [item.id, taken.has(item.id) ? makeId() : item.id]));
  const importedContainers = new Set(incoming.filter((i) => i.type === 'tab' || i.type === 'subflow').map((i) => i.id));
  const existingContainers = new Set(doc.filter((i) => i.type === 'tab' || i.type === 'subflow').map((i) => i.id));
  const remap = (id: string): string => idMap.get(id) ?? id;
  const items = incoming.map((original) => {
    const item: FlowItem = { ...structuredClone(original), id: remap(original.id) };
    const z = item['z'];
    const onCanvas = typeof item['x'] === 'number' || typeof item['x'] === 'string' || item.type === 'group';
    if (typeof z === 'string' && z !== '') {
      if (importedContainers.has(z)) item['z'] = remap(z);
      else if (!existingContainers.has(z) && onCanvas) item['z'] = currentTab;
    } else if (onCanvas && item.type !== 'tab' && item.type !== 'subflow') item['z'] = currentTab;
    if (Array.isArray(item['wires'])) item['wires'] = wiresOf(item).map((port) => port.map(remap));
    if (Array.isArray(item['links'])) item['links'] = (item['links'] as unknown[]).filter((l): l is string => typeof l === 'string').map(remap);
    if (typeof item['g'] === 'string') item['g'] = remap(item['g']);
    if (item.type === 'group' && Array.isArray(item['nodes'])) item['nodes'] = (item['nodes'] as unknown[]).map((m) => (typeof m === 'string' ? remap(m) : m));
    if (item.type.startsWith('subflow:')) item.type = `subflow:${remap(item.type.slice(8))}`;
    for (const [key, value] of Object.entries(item)) {
      if (key !== 'id' && typeof value === 'string' && idMap.has(value) && idMap.get(value) !== value) item[key] = idMap.get(value);
    }
    return item;
  });
  const next = [...doc, ...items];
  const isKnownType = lookup ? (type: string) => lookup(type) !== undefined : undefined;
  const result = validateFlowDocument(next, isKnownType ? { isKnownType } : {});
  if (!result.ok) {
    const importedIds = new Set(items.map((i) => i.id));
    const mine = result.problems.filter((p) => p.nodeId === undefined || importedIds.has(p.nodeId));
    if (mine.length > 0) return { ok: false, problems: mine.map((p) => describeProblem(p, items)) };
  }
  return { ok: true, doc: next, ids: items.map((i) => i.id) };
}

function describeProblem(problem: FlowProblem, items: readonly FlowItem[]): ImportProblem {
  const item = problem.nodeId ? items.find((i) => i.id === problem.nodeId) : undefined;
  const name = item && typeof item['name'] === 'string' && item['name'] !== '' ? ` "${item['name']}"` : '';
  return {
    ...(problem.nodeId ? { nodeId: problem.nodeId } : {}),
    what: item ? `${item.type}${name} (${item.id})` : problem.nodeId ?? 'the document',
    field: problem.field,
    reason: problem.reason,
  };
}

/**
 * Export as Node-RED JSON: the whole document, or a selection with the config
 * nodes it references (as Node-RED's "export selected" does), wires to nodes
 * outside the selection dropped.
 */
export function exportFlows(doc: EditorDocument, selection?: Iterable<string>, pretty = true): string {
  if (!selection) return JSON.stringify(doc, null, pretty ? 2 : undefined);
  const ids = new Set(selection);
  for (const item of doc) {
    if ((item.type === 'tab' || item.type === 'group') && ids.has(item.id)) {
      for (const other of doc) if (other['z'] === item.id || other['g'] === item.id) ids.add(other.id);
    }
  }
  const configIds = new Set(doc.filter((i) => typeof i['x'] !== 'number' && i.type !== 'tab' && i.type !== 'group' && i.type !== 'subflow').map((i) => i.id));
  for (const item of doc) {
    if (!ids.has(item.id)) continue;
    for (const value of Object.values(item)) if (typeof value === 'string' && configIds.has(value)) ids.add(value);
  }
  const picked = doc
    .filter((item) => ids.has(item.id))
    .map((item) => (Array.isArray(item['wires']) ? { ...item, wires: wiresOf(item).map((port) => port.filter((t) => ids.has(t))) } : item));
  return JSON.stringify(picked, null, pretty ? 2 : undefined);
}
