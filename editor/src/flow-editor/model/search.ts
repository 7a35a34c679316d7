import type { FlowItem } from '@loopedge/flows';
import { labelOf, type EditorDocument, type NodeTypeLookup } from './document.js';

export interface SearchHit {
  id: string;
  /** The tab (or subflow) to switch to. */
  z: string;
  type: string;
  label: string;
  /** Where the text matched: `name`, `type`, `id` or the property name. */
  field: string;
}

/**
 * Finds nodes by name, type, id or any string/number property (Ctrl+F). Case-insensitive
 * substring match; name and type hits sort first.
 */
export function searchNodes(doc: EditorDocument, query: string, lookup?: NodeTypeLookup, limit = 100): SearchHit[] {
  const needle = query.trim().toLowerCase();
  if (needle === '') return [];
  const hits: Array<SearchHit & { rank: number }> = [];
  for (const item of doc) {
    if (item.type === 'tab' || item.type === 'subflow') continue;
    const field = matchField(item, needle, lookup, doc);
    if (!field) continue;
    hits.push({ id: item.id, z: typeof item['z'] === 'string' ? item['z'] : '', type: item.type, label: labelOf(item, lookup, doc), field, rank: field === 'name' ? 0 : field === 'type' ? 1 : 2 });
  }
  return hits
    .sort((a, b) => a.rank - b.rank || a.label.localeCompare(b.label))
    .slice(0, limit)
    .map(({ rank: _rank, ...hit }) => hit);
}

function matchField(item: FlowItem, needle: string, lookup: NodeTypeLookup | undefined, doc: EditorDocument): string | undefined {
  if (labelOf(item, lookup, doc).toLowerCase().includes(needle)) return 'name';
  if (item.type.toLowerCase().includes(needle)) return 'type';
  if (item.id.toLowerCase() === needle) return 'id';
  for (const [key, value] of Object.entries(item)) {
    if (['id', 'z', 'x', 'y', 'g', 'wires', 'type', 'name'].includes(key)) continue;
    if ((typeof value === 'string' || typeof value === 'number') && String(value).toLowerCase().includes(needle)) return key;
  }
  return undefined;
}
