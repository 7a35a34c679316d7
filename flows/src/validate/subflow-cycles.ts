import type { FlowProblem } from '../types.js';
import { quote } from '../shared/field-path.js';
import { containerOf, subflowTemplateId } from '../shared/item-kinds.js';
import { push, type ItemEntry, type ItemIndex } from './item-index.js';

/**
 * Step 3 of validation: a subflow that contains an instance of itself, directly or
 * through other subflows, would be instantiated forever. Each instance that closes such
 * a loop is reported, so the user knows which node to remove.
 */
export function checkSubflowCycles(index: ItemIndex, problems: FlowProblem[]): void {
  const instancesBySubflow = new Map<string, ItemEntry[]>();
  for (const entry of index.entries) {
    const templateId = entry.type === undefined ? undefined : subflowTemplateId(entry.type);
    const containerId = containerOf(entry.item);
    if (templateId === undefined || containerId === undefined) continue;
    if (index.byId.get(containerId)?.type !== 'subflow') continue;
    const list = instancesBySubflow.get(containerId);
    if (list === undefined) instancesBySubflow.set(containerId, [entry]);
    else list.push(entry);
  }
  if (instancesBySubflow.size === 0) return;

  // Iterative depth-first search: recursion depth would follow the user's nesting.
  const state = new Map<string, 'open' | 'done'>();
  for (const start of instancesBySubflow.keys()) {
    if (state.has(start)) continue;
    const stack: Array<{ subflowId: string; next: number }> = [{ subflowId: start, next: 0 }];
    state.set(start, 'open');
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const instances = instancesBySubflow.get(frame.subflowId) ?? [];
      if (frame.next >= instances.length) {
        state.set(frame.subflowId, 'done');
        stack.pop();
        continue;
      }
      const instance = instances[frame.next++]!;
      const used = subflowTemplateId(instance.type ?? '') ?? '';
      const seen = state.get(used);
      if (seen === 'open') {
        push(problems, 'invalid-field', instance.index, instance.id, 'type',
          `puts subflow ${quote(used)} inside subflow ${quote(frame.subflowId)}, which ${used === frame.subflowId ? 'is itself' : 'already contains it'}; ` +
          'a subflow cannot contain itself — remove this instance');
      } else if (seen === undefined && instancesBySubflow.has(used)) {
        state.set(used, 'open');
        stack.push({ subflowId: used, next: 0 });
      }
    }
  }
}
