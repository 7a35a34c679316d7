import type { FlowProblem } from '../types.js';

const PLAIN_ID = /^[\w.:\-]{1,80}$/;

/**
 * One line for logs and the CLI: `<nodeId or (item N)> <field>: <reason>`.
 * Ids from the document are quoted when they hold anything unusual, so a hostile id
 * cannot forge extra log lines.
 */
export function formatProblem(problem: FlowProblem): string {
  return `${subjectOf(problem)} ${problem.field}: ${problem.reason.replace(/[\r\n]+/g, ' ')}`;
}

function subjectOf(problem: FlowProblem): string {
  if (problem.nodeId !== undefined) {
    return PLAIN_ID.test(problem.nodeId) ? problem.nodeId : JSON.stringify(problem.nodeId.slice(0, 80));
  }
  return problem.index === undefined ? '(document)' : `(item ${problem.index})`;
}
