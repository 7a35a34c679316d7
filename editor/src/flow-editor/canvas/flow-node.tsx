import { memo, useCallback, useContext, useState, useSyncExternalStore } from 'react';
import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import type { CanvasNodeData } from '../model/index.js';
import { CanvasContext } from './canvas-context.js';

export type FlowNodeData = CanvasNodeData & { changed?: string; error?: string; linkHighlight?: boolean };
export type FlowCanvasNode = Node<FlowNodeData, 'flowNode' | 'flowGroup'>;

const STATUS_COLOURS: Record<string, string> = { red: '#c00', green: '#5a8', yellow: '#F9DF31', blue: '#53A3F3', grey: '#d3d3d3' };

function NodeStatusBadge({ id }: { id: string }) {
  const { statuses } = useContext(CanvasContext);
  const subscribe = useCallback((listener: () => void) => statuses.subscribe(id, listener), [statuses, id]);
  const status = useSyncExternalStore(subscribe, () => statuses.get(id));
  if (!status) return null;
  const colour = STATUS_COLOURS[status.fill ?? ''] ?? '#d3d3d3';
  return (
    <span className="fe-status" data-testid={`status-${id}`}>
      <span className={`fe-status-dot ${status.shape === 'ring' ? 'ring' : 'dot'}`} style={{ borderColor: colour, background: status.shape === 'ring' ? 'transparent' : colour }} />
      {/* Text, never HTML: a status comes from user code. */}
      <span className="fe-status-text">{status.text ?? ''}</span>
    </span>
  );
}

/**
 * The square on an inject node's left, as in Node-RED: fires the deployed node
 * once. Disabled for users who may not deploy; the outcome is announced.
 */
function InjectButton({ id, label }: { id: string; label: string }) {
  const { onInject } = useContext(CanvasContext);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | undefined>();
  const fire = () => {
    if (!onInject) return;
    onInject(id).then(
      () => setOutcome({ ok: true, text: `Injected: ${label}` }),
      (error: unknown) => setOutcome({ ok: false, text: `Inject failed: ${error instanceof Error ? error.message : String(error)}` }),
    );
  };
  return (
    <>
      <button
        type="button"
        className="fe-inject-button nodrag"
        aria-label={`Inject ${label}`}
        title={onInject ? outcome?.text ?? `Inject ${label}` : 'Only users who may deploy can inject'}
        disabled={!onInject}
        data-testid={`inject-${id}`}
        // Not a drag, selection or double-click on the node.
        onMouseDown={(e) => e.stopPropagation()}
        onDoubleClick={(e) => e.stopPropagation()}
        onClick={(e) => {
          e.stopPropagation();
          fire();
        }}
        style={{ position: 'absolute', left: -24, top: '50%', transform: 'translateY(-50%)', width: 18, height: 18, padding: 0, border: '1px solid #999', borderRadius: 4, background: outcome?.ok === false ? '#f3c0c0' : '#eee', cursor: onInject ? 'pointer' : 'not-allowed' }}
      />
      {outcome && (
        <span role="status" className="fe-inject-outcome" data-ok={outcome.ok} style={{ position: 'absolute', width: 1, height: 1, overflow: 'hidden', clip: 'rect(0 0 0 0)' }}>
          {outcome.text}
        </span>
      )}
    </>
  );
}

/**
 * A node on the canvas, drawn like Node-RED's: coloured box, label, an input
 * port on the left, output ports on the right (with their labels as titles).
 * Every string shown is rendered as text by React, never as HTML.
 */
export const FlowNodeView = memo(function FlowNodeView({ id, data, selected }: NodeProps<FlowCanvasNode>) {
  const { onHoverLink } = useContext(CanvasContext);
  const classes = ['fe-node', `fe-kind-${data.kind}`];
  if (selected) classes.push('selected');
  if (data.disabled) classes.push('disabled');
  if (data.error) classes.push('has-error');
  if (data.linkHighlight) classes.push('link-highlight');
  const outputs = Array.from({ length: data.outputs }, (_, port) => port);
  return (
    <div
      className={classes.join(' ')}
      style={{ background: data.kind === 'comment' ? 'transparent' : data.color }}
      data-node-id={id}
      data-node-type={data.item.type}
      title={data.error ?? data.item.type}
      onMouseEnter={data.kind === 'link' ? () => onHoverLink(id) : undefined}
      onMouseLeave={data.kind === 'link' ? () => onHoverLink(undefined) : undefined}
    >
      {data.item.type === 'inject' && <InjectButton id={id} label={data.label} />}
      {data.inputs > 0 && <Handle type="target" position={Position.Left} id="in" className="fe-port" />}
      <span className="fe-node-label">{data.label}</span>
      {data.changed && <span className="fe-changed" aria-label={`${data.changed}, not deployed`} title={`${data.changed}, not deployed`} />}
      {data.error && <span className="fe-error-mark" role="img" aria-label={`deploy error: ${data.error}`}>!</span>}
      {outputs.map((port) => (
        <Handle
          key={port}
          type="source"
          position={Position.Right}
          id={`out-${port}`}
          className="fe-port"
          title={data.outputLabels[port] || `output ${port + 1}`}
          style={{ top: data.outputs === 1 ? '50%' : `${((port + 0.5) / data.outputs) * 100}%` }}
        />
      ))}
      {data.outputs > 1 &&
        outputs.map((port) =>
          data.outputLabels[port] ? (
            <span key={`l${port}`} className="fe-port-label" style={{ top: `${((port + 0.5) / data.outputs) * 100}%` }}>
              {data.outputLabels[port]}
            </span>
          ) : null,
        )}
      {data.kind === 'link' && <Handle type="source" position={Position.Right} id="out-link" className="fe-port-hidden" isConnectable={false} />}
      {data.kind === 'link' && <Handle type="target" position={Position.Left} id="in-link" className="fe-port-hidden" isConnectable={false} />}
      <NodeStatusBadge id={id} />
    </div>
  );
});

export const FlowGroupView = memo(function FlowGroupView({ data, selected }: NodeProps<FlowCanvasNode>) {
  return (
    <div className={`fe-group${selected ? ' selected' : ''}`}>
      <span className="fe-group-label">{data.label}</span>
    </div>
  );
});
