import type { FlowItem } from '@loopedge/flows';
import { inputCountOf, itemsOn, labelOf, outputCountOf, wiresOf, type EditorDocument, type NodeTypeLookup } from './document.js';

/**
 * The canvas view of one tab, derived from the document: plain data shaped like
 * @xyflow/react's nodes and edges (no React here, so it is unit-tested in Node).
 * Node-RED stores a node's centre in x/y; the canvas wants the top-left corner.
 */

export interface CanvasNodeData {
  [key: string]: unknown;
  item: FlowItem;
  label: string;
  inputs: number;
  outputs: number;
  outputLabels: string[];
  color: string;
  disabled: boolean;
  kind: 'node' | 'comment' | 'group' | 'link';
}

export interface CanvasNode {
  id: string;
  type: 'flowNode' | 'flowGroup';
  position: { x: number; y: number };
  width: number;
  height: number;
  data: CanvasNodeData;
  zIndex?: number;
}

export interface CanvasEdge {
  id: string;
  source: string;
  sourceHandle: string;
  target: string;
  targetHandle: string;
  /** Virtual wire between link nodes: only drawn on hover. */
  virtual?: boolean;
}

export const NODE_HEIGHT = 30;
export const PORT_SPACING = 15;

export function nodeSize(label: string, outputs: number): { width: number; height: number } {
  // Roughly Node-RED's: text width plus room for the icon; taller for many ports.
  const width = Math.max(100, Math.min(400, Math.round(label.length * 7 + 50)));
  const height = Math.max(NODE_HEIGHT, outputs * PORT_SPACING + 10);
  return { width, height };
}

export function edgeId(source: string, port: number, target: string): string {
  return `${source}:${port}:${target}`;
}

export function parseEdgeId(id: string): { source: string; port: number; target: string } | undefined {
  const match = /^([^:]+):(\d+):(.+)$/.exec(id);
  return match ? { source: match[1]!, port: Number(match[2]), target: match[3]! } : undefined;
}

export interface TabView {
  nodes: CanvasNode[];
  edges: CanvasEdge[];
  /** Link-node virtual wires (link out → link in on this tab), shown on hover. */
  linkEdges: CanvasEdge[];
}

export function tabView(doc: EditorDocument, z: string, lookup?: NodeTypeLookup): TabView {
  const items = itemsOn(doc, z);
  const onTab = new Set(items.map((i) => i.id));
  const nodes: CanvasNode[] = [];
  const edges: CanvasEdge[] = [];
  const linkEdges: CanvasEdge[] = [];
  for (const item of items) {
    if (item.type === 'group') {
      const x = Number(item['x'] ?? 0);
      const y = Number(item['y'] ?? 0);
      const name = typeof item['name'] === 'string' ? item['name'] : '';
      nodes.push({
        id: item.id,
        type: 'flowGroup',
        position: { x, y },
        width: Number(item['w'] ?? 200),
        height: Number(item['h'] ?? 100),
        zIndex: -1,
        data: { item, label: name, inputs: 0, outputs: 0, outputLabels: [], color: '#999', disabled: false, kind: 'group' },
      });
      continue;
    }
    if (typeof item['x'] !== 'number' && typeof item['x'] !== 'string') continue;
    const info = lookup?.(item.type);
    const label = labelOf(item, lookup, doc);
    const outputs = outputCountOf(item, doc, lookup);
    const inputs = item.type === 'comment' ? 0 : inputCountOf(item, lookup);
    const size = nodeSize(label, outputs);
    const kind = item.type === 'comment' ? 'comment' : item.type.startsWith('link ') ? 'link' : 'node';
    nodes.push({
      id: item.id,
      type: 'flowNode',
      position: { x: Number(item['x']) - size.width / 2, y: Number(item['y']) - size.height / 2 },
      ...size,
      data: {
        item,
        label,
        inputs,
        outputs,
        outputLabels: outputLabelsOf(item, info?.editor.outputLabels, outputs),
        color: info?.editor.color ?? (item.type.startsWith('subflow:') ? '#ddaa99' : '#dddddd'),
        disabled: item['d'] === true,
        kind,
      },
    });
    wiresOf(item).forEach((targets, port) => {
      for (const target of targets) {
        if (onTab.has(target)) edges.push({ id: edgeId(item.id, port, target), source: item.id, sourceHandle: `out-${port}`, target, targetHandle: 'in' });
      }
    });
    if ((item.type === 'link out' || item.type === 'link call') && Array.isArray(item['links'])) {
      for (const target of item['links'] as string[]) {
        if (onTab.has(target)) linkEdges.push({ id: `link:${item.id}:${target}`, source: item.id, sourceHandle: 'out-link', target, targetHandle: 'in-link', virtual: true });
      }
    }
  }
  return { nodes, edges, linkEdges };
}

function outputLabelsOf(item: FlowItem, typeLabels: string[] | undefined, outputs: number): string[] {
  const own = item['outputLabels'];
  return Array.from({ length: outputs }, (_, port) => {
    const label = Array.isArray(own) ? own[port] : undefined;
    return typeof label === 'string' && label !== '' ? label : typeLabels?.[port] ?? '';
  });
}

/** The document position (centre) of a canvas node placed with its top-left at `position`. */
export function centreOf(node: { position: { x: number; y: number }; width?: number | undefined; height?: number | undefined }): { x: number; y: number } {
  return { x: Math.round(node.position.x + (node.width ?? 100) / 2), y: Math.round(node.position.y + (node.height ?? NODE_HEIGHT) / 2) };
}

/** Ids of the link nodes virtually wired to this one (either direction), for hover highlighting. */
export function linkedTo(doc: EditorDocument, id: string): string[] {
  const item = doc.find((i) => i.id === id);
  if (!item) return [];
  const out = new Set<string>(Array.isArray(item['links']) ? (item['links'] as string[]) : []);
  for (const other of doc) if (Array.isArray(other['links']) && (other['links'] as string[]).includes(id)) out.add(other.id);
  return [...out];
}
