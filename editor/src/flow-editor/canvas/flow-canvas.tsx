import { useCallback, useContext, useMemo, useRef, useState, type DragEvent } from 'react';
import {
  Background, ControlButton, Controls, MiniMap, ReactFlow, type Connection, type Edge, type EdgeChange, type NodeChange, type ReactFlowInstance,
} from '@xyflow/react';
import {
  addNode, centreOf, connect, GRID, linkedTo, moveNodes, snap, tabView, type EditorDocument, type NodeTypeLookup,
} from '../model/index.js';
import type { EditorState, FlowEditorStore } from '../state/editor-store.js';
import { CanvasContext, type CanvasContextValue } from './canvas-context.js';
import { FlowGroupView, FlowNodeView, type FlowCanvasNode } from './flow-node.js';
import type { StatusStore } from '../state/status-store.js';
import { SessionContext } from '../../app/session-context.js';

const nodeTypes = { flowNode: FlowNodeView, flowGroup: FlowGroupView };
export const PALETTE_MIME = 'application/x-loopedge-node-type';

export interface FlowCanvasProps {
  store: FlowEditorStore;
  state: EditorState;
  lookup: NodeTypeLookup;
  statuses: StatusStore;
  readOnly: boolean;
  snapToGrid: boolean;
  onOpenNode(id: string): void;
  onInit?(instance: ReactFlowInstance<FlowCanvasNode, Edge>): void;
}

/**
 * The canvas of the active tab. The document is the truth: nodes and edges are
 * derived from it, and xyflow's changes are turned back into document edits
 * (a drag becomes one undoable move when it ends, not one per frame).
 */
export function FlowCanvas({ store, state, lookup, statuses, readOnly, snapToGrid, onOpenNode, onInit }: FlowCanvasProps) {
  const doc = state.history.present;
  const tab = state.activeTab;
  const view = useMemo(() => tabView(doc, tab, lookup), [doc, tab, lookup]);
  const [hoveredLink, setHoveredLink] = useState<string | undefined>();
  // The overview map draws every node of the tab again: off until asked for (Node-RED's navigator is too).
  const [showMap, setShowMap] = useState(false);
  const [dragged, setDragged] = useState<ReadonlyMap<string, { x: number; y: number }>>(new Map());
  const instance = useRef<ReactFlowInstance<FlowCanvasNode, Edge> | null>(null);
  // Node objects are reused while nothing about them changed, so xyflow re-adopts only what did.
  const cache = useRef(new Map<string, { key: unknown[]; node: FlowCanvasNode }>());
  const measured = useRef(new Map<string, { width?: number; height?: number }>());
  // A tab opens at 100 % with its top-left node in view, as Node-RED's does: fitting a large flow
  // would zoom out and draw every node at once (onlyRenderVisibleElements draws only what is in view).
  const openingViewport = useRef(
    view.nodes.length === 0
      ? { x: 0, y: 0, zoom: 1 }
      : { x: 40 - Math.min(...view.nodes.map((n) => n.position.x)), y: 40 - Math.min(...view.nodes.map((n) => n.position.y)), zoom: 1 },
  ).current;

  const linkIds = useMemo(() => (hoveredLink ? new Set([hoveredLink, ...linkedTo(doc, hoveredLink)]) : new Set<string>()), [doc, hoveredLink]);

  const nodes = useMemo(() => {
    const next = new Map<string, { key: unknown[]; node: FlowCanvasNode }>();
    const out = view.nodes.map((canvasNode) => {
      const id = canvasNode.id;
      const selected = state.selection.has(id);
      const changed = state.changes.byId.get(id);
      const error = state.nodeErrors.get(id);
      const position = dragged.get(id) ?? canvasNode.position;
      const highlight = linkIds.has(id);
      const key = [canvasNode.data.item, canvasNode.data.label, canvasNode.data.outputs, selected, changed, error, position.x, position.y, highlight];
      const previous = cache.current.get(id);
      if (previous && previous.key.every((part, index) => part === key[index])) {
        next.set(id, previous);
        return previous.node;
      }
      const node: FlowCanvasNode = {
        id,
        type: canvasNode.type,
        position,
        width: canvasNode.width,
        height: canvasNode.height,
        selected,
        ...(canvasNode.zIndex !== undefined ? { zIndex: canvasNode.zIndex } : {}),
        ...(measured.current.has(id) ? { measured: measured.current.get(id)! } : {}),
        data: { ...canvasNode.data, ...(changed ? { changed } : {}), ...(error ? { error } : {}), linkHighlight: highlight },
        draggable: !readOnly,
        connectable: !readOnly,
      };
      next.set(id, { key, node });
      return node;
    });
    cache.current = next;
    return out;
  }, [view, state.selection, state.changes, state.nodeErrors, dragged, linkIds, readOnly]);

  const edges = useMemo<Edge[]>(() => {
    const wires: Edge[] = view.edges.map((e) => ({ ...e, selected: state.selectedEdges.has(e.id), className: 'fe-wire' }));
    const virtual = hoveredLink ? view.linkEdges.filter((e) => e.source === hoveredLink || e.target === hoveredLink) : [];
    return [...wires, ...virtual.map((e) => ({ ...e, className: 'fe-link-wire', selectable: false, animated: true }))];
  }, [view, state.selectedEdges, hoveredLink]);

  const onNodesChange = useCallback(
    (changes: NodeChange<FlowCanvasNode>[]) => {
      let selection: Set<string> | undefined;
      const positions = new Map(dragged);
      let moved = false;
      for (const change of changes) {
        if (change.type === 'select') {
          selection ??= new Set(store.getState().selection);
          if (change.selected) selection.add(change.id);
          else selection.delete(change.id);
        } else if (change.type === 'position' && change.position && change.dragging) {
          positions.set(change.id, change.position);
          moved = true;
        } else if (change.type === 'dimensions' && change.dimensions) {
          measured.current.set(change.id, change.dimensions);
        }
      }
      if (moved) setDragged(positions);
      if (selection) store.select(selection, store.getState().selectedEdges);
    },
    [store, dragged],
  );

  const onNodeDragStop = useCallback(
    (_event: unknown, _node: FlowCanvasNode, draggedNodes: FlowCanvasNode[]) => {
      const moves = new Map<string, { x: number; y: number }>();
      const current = store.doc;
      for (const node of draggedNodes) {
        const item = current.find((i) => i.id === node.id);
        if (!item) continue;
        if (item.type === 'group') {
          // A group is stored by its top-left corner; its members move with it.
          const x = snapToGrid ? snap(node.position.x, GRID) : Math.round(node.position.x);
          const y = snapToGrid ? snap(node.position.y, GRID) : Math.round(node.position.y);
          const dx = x - Number(item['x'] ?? 0);
          const dy = y - Number(item['y'] ?? 0);
          moves.set(item.id, { x, y });
          for (const member of (item['nodes'] as string[] | undefined) ?? []) {
            const m = current.find((i) => i.id === member);
            if (m && !draggedNodes.some((d) => d.id === member)) moves.set(member, { x: Number(m['x']) + dx, y: Number(m['y']) + dy });
          }
          continue;
        }
        const centre = centreOf({ position: node.position, width: node.width, height: node.height });
        moves.set(node.id, snapToGrid ? { x: snap(centre.x, GRID), y: snap(centre.y, GRID) } : centre);
      }
      setDragged(new Map());
      store.edit((doc) => moveNodes(doc, moves), `move ${moves.size === 1 ? 'node' : `${moves.size} nodes`}`);
    },
    [store, snapToGrid],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      let edgesSelected: Set<string> | undefined;
      for (const change of changes) {
        if (change.type !== 'select') continue;
        edgesSelected ??= new Set(store.getState().selectedEdges);
        if (change.selected) edgesSelected.add(change.id);
        else edgesSelected.delete(change.id);
      }
      if (edgesSelected) store.select(store.getState().selection, edgesSelected);
    },
    [store],
  );

  const onConnect = useCallback(
    (connection: Connection) => {
      const port = Number((connection.sourceHandle ?? 'out-0').replace('out-', ''));
      if (!Number.isInteger(port)) return;
      store.edit((doc) => connect(doc, { source: connection.source, port, target: connection.target }), 'wire');
    },
    [store],
  );

  const onDrop = useCallback(
    (event: DragEvent) => {
      event.preventDefault();
      const type = event.dataTransfer.getData(PALETTE_MIME);
      if (!type || readOnly || !instance.current || !tab) return;
      const info = lookup(type);
      const point = instance.current.screenToFlowPosition({ x: event.clientX, y: event.clientY });
      const at = snapToGrid ? { x: snap(point.x), y: snap(point.y) } : { x: Math.round(point.x), y: Math.round(point.y) };
      let id = '';
      store.edit(
        (doc: EditorDocument) => {
          const added = addNode(doc, { type, z: tab, ...at, ...(info ? { info } : {}) });
          id = added.id;
          return added.doc;
        },
        `add ${type}`,
      );
      store.select([id]);
    },
    [store, lookup, tab, readOnly, snapToGrid],
  );

  // The inject button talks to the server directly (POST /api/nodes/:id/inject);
  // the session gives the client and says whether this user may (flows:write).
  const session = useContext(SessionContext);
  const canInject = !readOnly && session !== undefined && session.me.permissions.includes('flows:write');
  const onInject = useMemo(
    () => (canInject && session ? async (id: string) => void (await session.api.post(`/api/nodes/${encodeURIComponent(id)}/inject`)) : undefined),
    [canInject, session],
  );
  const context = useMemo<CanvasContextValue>(() => ({ statuses, onHoverLink: setHoveredLink, onInject }), [statuses, onInject]);

  return (
    <CanvasContext.Provider value={context}>
      <div className="fe-canvas" onDragOver={(e) => e.preventDefault()} onDrop={onDrop} data-testid="flow-canvas">
        <ReactFlow<FlowCanvasNode, Edge>
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onNodeDragStop={onNodeDragStop}
          onConnect={readOnly ? undefined : onConnect}
          onNodeDoubleClick={(_e, node) => onOpenNode(node.id)}
          onInit={(rf) => {
            instance.current = rf;
            onInit?.(rf);
          }}
          isValidConnection={(c) => c.source !== c.target && (c.sourceHandle ?? '').startsWith('out-') && c.sourceHandle !== 'out-link' && c.targetHandle === 'in'}
          deleteKeyCode={null}
          selectionKeyCode={null}
          multiSelectionKeyCode="Shift"
          selectionOnDrag
          panOnDrag={[1, 2]}
          panOnScroll
          zoomOnScroll={false}
          zoomActivationKeyCode="Control"
          minZoom={0.1}
          maxZoom={3}
          defaultViewport={openingViewport}
          onlyRenderVisibleElements
          snapToGrid={snapToGrid}
          snapGrid={[GRID / 2, GRID / 2]}
          proOptions={{ hideAttribution: true }}
          nodesDraggable={!readOnly}
          nodesConnectable={!readOnly}
          elevateNodesOnSelect={false}
        >
          <Background gap={GRID} />
          <Controls showInteractive={false}>
            <ControlButton onClick={() => setShowMap(!showMap)} title={showMap ? 'Hide the overview map' : 'Show the overview map'} aria-label={showMap ? 'Hide the overview map' : 'Show the overview map'} aria-pressed={showMap}>
              ▦
            </ControlButton>
          </Controls>
          {showMap && <MiniMap pannable zoomable ariaLabel="Flow overview" />}
        </ReactFlow>
      </div>
    </CanvasContext.Provider>
  );
}
