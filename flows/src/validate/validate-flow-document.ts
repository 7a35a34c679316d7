import type { FlowDocument, FlowProblem } from '../types.js';
import { checkReferences } from './check-references.js';
import { indexItems } from './item-index.js';
import { errorText } from './scan-values.js';
import { checkSubflowCycles } from './subflow-cycles.js';
import { resolveLimits, type ValidationOptions, type ValidationResult } from './validation-options.js';

/**
 * Check that a value is a flow document LoopEdge can run, collecting every problem.
 * Never throws, whatever it is given: the document usually comes straight off the wire.
 *
 * 1. it is an array within the item limit;
 * 2. each item is an object with an id and a type, holds only plain JSON within the
 *    depth limit, has no prototype-polluting keys, and ids are unique;
 * 3. every reference (z, wires, g, group members, subflow ports, types) resolves;
 * 4. no subflow contains itself.
 */
export function validateFlowDocument(doc: unknown, options: ValidationOptions = {}): ValidationResult {
  const problems: FlowProblem[] = [];
  try {
    collectProblems(doc, options, problems);
  } catch (error) {
    problems.push({ code: 'invalid-field', field: '$', reason: `the flow document could not be read (${errorText(error)}); send plain JSON data` });
  }
  if (problems.length === 0) return { ok: true, flows: doc as FlowDocument };
  return { ok: false, problems: sortByItem(problems) };
}

function collectProblems(doc: unknown, options: ValidationOptions, problems: FlowProblem[]): void {
  if (!Array.isArray(doc)) {
    problems.push({
      code: 'not-an-array',
      field: '$',
      reason: 'a flow document must be a JSON array of nodes, tabs and config nodes, as Node-RED exports it',
    });
    return;
  }
  const limits = resolveLimits(options.limits);
  if (doc.length > limits.maxItems) {
    problems.push({
      code: 'too-large',
      field: '$',
      reason: `the flow document has ${doc.length} items, more than the limit of ${limits.maxItems}; split it into smaller deploys or raise the maxItems limit`,
    });
    return;
  }
  const index = indexItems(doc, limits, problems);
  if (index === undefined) return;
  checkReferences(index, options, problems);
  checkSubflowCycles(index, problems);
}

/** Document-wide problems first, then item by item; stable, so each item keeps its check order. */
function sortByItem(problems: FlowProblem[]): FlowProblem[] {
  return problems.sort((a, b) => (a.index ?? -1) - (b.index ?? -1));
}
