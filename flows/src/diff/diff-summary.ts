import type { FlowDiff } from './diff-flows.js';

/** Short human text for a deploy log or the editor: "3 added, 1 changed, 2 moved in 2 flows". */
export function diffSummary(diff: FlowDiff): string {
  const parts = (['added', 'removed', 'changed', 'rewired', 'moved'] as const)
    .filter((kind) => diff[kind].length > 0)
    .map((kind) => `${diff[kind].length} ${kind}`);
  if (parts.length === 0) return 'no changes';
  const flows = diff.changedFlows.length;
  return flows === 0 ? parts.join(', ') : `${parts.join(', ')} in ${flows} flow${flows === 1 ? '' : 's'}`;
}
