import { useMemo, useState, type KeyboardEvent } from 'react';
import type { NodeTypeInfo } from '../model/index.js';
import { PALETTE_MIME } from '../canvas/flow-canvas.js';

/** Node-RED's palette order; categories the server adds later go after these. */
const CATEGORY_ORDER = ['common', 'function', 'sequence', 'parser', 'network', 'storage', 'southbound', 'northbound', 'alerts'];

export interface PaletteProps {
  nodeTypes: readonly NodeTypeInfo[];
  disabled: boolean;
  /** Keyboard alternative to dragging: Enter on a palette entry adds the node to the canvas centre. */
  onAdd(type: string): void;
}

/** The palette: node types by category with a filter box; drag an entry onto the canvas. */
export function Palette({ nodeTypes, disabled, onAdd }: PaletteProps) {
  const [filter, setFilter] = useState('');
  const groups = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const visible = nodeTypes.filter((t) => !t.configNode && (needle === '' || t.type.toLowerCase().includes(needle) || (t.editor.paletteLabel ?? t.editor.label ?? '').toLowerCase().includes(needle)));
    const byCategory = new Map<string, NodeTypeInfo[]>();
    for (const type of visible) {
      const list = byCategory.get(type.category) ?? [];
      list.push(type);
      byCategory.set(type.category, list);
    }
    const rank = (c: string): number => (CATEGORY_ORDER.includes(c) ? CATEGORY_ORDER.indexOf(c) : CATEGORY_ORDER.length);
    return [...byCategory.entries()].sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
  }, [nodeTypes, filter]);

  const onKeyDown = (event: KeyboardEvent, type: string) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      if (!disabled) onAdd(type);
    }
  };

  return (
    <nav className="fe-palette" aria-label="Palette">
      <input type="search" className="fe-palette-filter" placeholder="filter nodes" aria-label="Filter nodes" value={filter} onChange={(e) => setFilter(e.target.value)} />
      {groups.map(([category, types]) => (
        <section key={category} className="fe-palette-category">
          <h3>{category}</h3>
          <ul>
            {types.map((type) => (
              <li
                key={type.type}
                className="fe-palette-node"
                style={{ background: type.editor.color ?? '#ddd' }}
                draggable={!disabled}
                tabIndex={0}
                role="button"
                aria-label={`Add ${type.type} node`}
                aria-disabled={disabled}
                data-palette-type={type.type}
                onDragStart={(e) => {
                  e.dataTransfer.setData(PALETTE_MIME, type.type);
                  e.dataTransfer.effectAllowed = 'copy';
                }}
                onKeyDown={(e) => onKeyDown(e, type.type)}
              >
                {type.editor.paletteLabel || type.editor.label || type.type}
              </li>
            ))}
          </ul>
        </section>
      ))}
      {groups.length === 0 && <p className="fe-muted">No node type matches “{filter}”.</p>}
    </nav>
  );
}
