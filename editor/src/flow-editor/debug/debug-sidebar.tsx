import { memo, useEffect, useMemo, useRef, useState } from 'react';
import type { LiveClient } from '../../api/live-client.js';
import { DebugBuffer, type DebugEntry, type DebugMessage } from './debug-buffer.js';
import { JsonTree } from './json-tree.js';

export interface DebugSidebarProps {
  live: LiveClient;
  activeTab: string;
  selectedNode: string | undefined;
  /** Click on a message's node name: select that node on the canvas. */
  onRevealNode(id: string): void;
  labelOf(id: string): string;
}

type Filter = 'all' | 'tab' | 'node';

/** How many messages are drawn; the buffer keeps more for filtering. */
const SHOWN = 50;
/** At most this many list renders a second: under a flood nobody reads faster, and the page stays free for clicks. */
const MIN_RENDER_INTERVAL_MS = 200;

/**
 * Live debug messages. Socket events only land in a buffer; the list re-renders at
 * most once per animation frame with whatever arrived, so a flood of thousands of
 * messages a second costs one render per frame and the page keeps answering.
 */
export function DebugSidebar({ live, activeTab, selectedNode, onRevealNode, labelOf }: DebugSidebarProps) {
  const buffer = useRef(new DebugBuffer(500));
  const [version, setVersion] = useState(0);
  const [filter, setFilter] = useState<Filter>('all');

  useEffect(() => {
    let frame = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let lastRender = 0;
    const render = () => {
      frame = requestAnimationFrame(() => {
        frame = 0;
        lastRender = performance.now();
        if (buffer.current.flush()) setVersion((v) => v + 1);
      });
    };
    const schedule = () => {
      if (frame !== 0 || timer !== undefined) return;
      const wait = lastRender + MIN_RENDER_INTERVAL_MS - performance.now();
      if (wait <= 0) return render();
      timer = setTimeout(() => {
        timer = undefined;
        render();
      }, wait);
    };
    const off = live.on('debug', (payload) => {
      if (!payload || typeof payload !== 'object') return;
      buffer.current.push(payload as DebugMessage);
      schedule();
    });
    return () => {
      off();
      if (frame !== 0) cancelAnimationFrame(frame);
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [live]);

  const entries = buffer.current.entries;
  const visible = useMemo(() => {
    const list = filter === 'tab' ? entries.filter((e) => e.z === activeTab) : filter === 'node' ? entries.filter((e) => e.id === selectedNode) : entries;
    return list.slice(-SHOWN).reverse();
    // `version` changes whenever the buffer does.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [version, filter, activeTab, selectedNode, entries]);

  return (
    <section className="fe-debug" aria-label="Debug messages">
      <div className="fe-debug-toolbar">
        <label>
          Show{' '}
          <select aria-label="Debug filter" value={filter} onChange={(e) => setFilter(e.target.value as Filter)}>
            <option value="all">all nodes</option>
            <option value="tab">current flow</option>
            <option value="node">selected node</option>
          </select>
        </label>
        <button
          type="button"
          onClick={() => {
            buffer.current.clear();
            setVersion((v) => v + 1);
          }}
        >
          Clear
        </button>
        <span className="fe-debug-counts" data-testid="debug-counts">
          {buffer.current.received} received{buffer.current.skipped > 0 ? `, ${buffer.current.skipped} skipped` : ''}
        </span>
      </div>
      <ol className="fe-debug-list" data-testid="debug-list">
        {visible.map((entry) => (
          <DebugRow key={entry.seq} entry={entry} label={labelOf(entry.id)} onRevealNode={onRevealNode} />
        ))}
      </ol>
      {visible.length === 0 && <p className="fe-muted">No debug messages{filter !== 'all' ? ' for this filter' : ''}.</p>}
    </section>
  );
}

const DebugRow = memo(function DebugRow({ entry, label, onRevealNode }: { entry: DebugEntry; label: string; onRevealNode(id: string): void }) {
  return (
    <li className="fe-debug-entry" data-debug-node={entry.id}>
      <div className="fe-debug-meta">
        <span>{timeOf(entry.receivedAt)}</span>{' '}
        <button type="button" className="fe-link-button" onClick={() => onRevealNode(entry.id)}>
          {entry.name || label}
        </button>
        {entry.topic !== undefined && <span className="fe-muted"> topic: {String(entry.topic)}</span>}
      </div>
      <JsonTree value={entry.value} path={entry.property === 'msg' ? 'msg' : `msg.${entry.property}`} />
    </li>
  );
});

function timeOf(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}
