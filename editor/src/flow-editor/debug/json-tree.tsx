import { memo, useState } from 'react';
import { childPath, previewOf } from './debug-buffer.js';

function copy(text: string): void {
  void navigator.clipboard?.writeText(text).catch(() => undefined);
}

/** An expandable view of a debug value; every key and value is rendered as text. */
export const JsonTree = memo(function JsonTree({ value, path, name }: { value: unknown; path: string; name?: string }) {
  const [open, setOpen] = useState(false);
  const expandable = value !== null && typeof value === 'object';
  const entries: Array<[string | number, unknown]> = expandable ? (Array.isArray(value) ? value.map((v, i) => [i, v] as [number, unknown]) : Object.entries(value as Record<string, unknown>)) : [];
  return (
    <div className="fe-json">
      <div className="fe-json-row">
        {expandable ? (
          <button type="button" className="fe-json-toggle" aria-expanded={open} aria-label={`${open ? 'Collapse' : 'Expand'} ${path}`} onClick={() => setOpen(!open)}>
            {open ? '▾' : '▸'}
          </button>
        ) : (
          <span className="fe-json-leaf" />
        )}
        {name !== undefined && <span className="fe-json-key">{name}: </span>}
        <span className="fe-json-value">{previewOf(value)}</span>
        <button type="button" className="fe-json-copy" title="Copy path" aria-label={`Copy path ${path}`} onClick={() => copy(path)}>
          ⧉ path
        </button>
        <button type="button" className="fe-json-copy" title="Copy value" aria-label={`Copy value of ${path}`} onClick={() => copy(typeof value === 'string' ? value : JSON.stringify(value, null, 2) ?? 'undefined')}>
          ⧉ value
        </button>
      </div>
      {open && (
        <div className="fe-json-children">
          {entries.slice(0, 200).map(([key, child]) => (
            <JsonTree key={String(key)} value={child} path={childPath(path, key)} name={String(key)} />
          ))}
          {entries.length > 200 && <span className="fe-muted">… {entries.length - 200} more</span>}
        </div>
      )}
    </div>
  );
});
