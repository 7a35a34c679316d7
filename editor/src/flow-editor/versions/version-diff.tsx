import type { DiffNodeView, VersionDiffView } from './version-diff-view.js';
import { nodeTitle } from './version-diff-view.js';

const CHANGE_NOTES: Record<NonNullable<DiffNodeView['change']>, string> = {
  changed: 'configuration changed',
  rewired: 'only wires changed',
  moved: 'only moved on the canvas',
  dependency: 'restarts: a node or tab it uses changed',
};

/** The node lists of a diff; a changed node shows each changed property as "old → new" (all React text). */
export function VersionDiff({ diff, label }: { diff: VersionDiffView; label: string }) {
  const empty = diff.added.length + diff.changed.length + diff.removed.length === 0;
  return (
    <section className="fe-version-diff" aria-label={label} data-testid="version-diff">
      {empty && <p className="fe-muted">No node changes between these versions.</p>}
      <DiffList title="Added" kind="added" nodes={diff.added} />
      <DiffList title="Changed" kind="changed" nodes={diff.changed} />
      <DiffList title="Removed" kind="removed" nodes={diff.removed} />
    </section>
  );
}

function DiffList({ title, kind, nodes }: { title: string; kind: 'added' | 'changed' | 'removed'; nodes: DiffNodeView[] }) {
  if (nodes.length === 0) return null;
  return (
    <>
      <h4>
        {title} ({nodes.length})
      </h4>
      <ul className={`fe-version-diff-list ${kind}`} aria-label={title}>
        {nodes.map((node) => (
          <li key={node.id} data-diff-node={node.id}>
            <span className="fe-version-diff-node">{nodeTitle(node)}</span>
            {node.change && <span className="fe-muted"> — {CHANGE_NOTES[node.change]}</span>}
            {node.properties.length > 0 && (
              <ul className="fe-version-diff-props">
                {node.properties.map((change) => (
                  <li key={change.property}>
                    <code>{change.property}</code>: <span className="old">{change.before ?? '(not set)'}</span> → <span className="new">{change.after ?? '(not set)'}</span>
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}
