import mustache from 'mustache';
import type { AlertNotification } from '../shared/alert-notification.js';

/** Template fields: every notification field, plus `value` as text and the source's parts flattened. */
function viewOf(n: AlertNotification): Record<string, unknown> {
  return {
    ...n,
    value: n.value === undefined ? '' : typeof n.value === 'string' ? n.value : JSON.stringify(n.value),
    sourceName: n.source.name ?? n.source.nodeId,
    nodeId: n.source.nodeId,
    flowId: n.source.flowId,
    SEVERITY: n.severity.toUpperCase(),
  };
}

/** Render a mustache template (`{{title}}`, `{{severity}}`...) without HTML escaping: mail subjects, topics, plain text. */
export function renderTemplate(template: string, n: AlertNotification): string {
  return mustache.render(template, viewOf(n), {}, { escape: (text: string) => text });
}

/** Check a template at deploy time, so a typo fails the deploy with the field name instead of every notification. */
export function checkTemplate(where: string, field: string, template: string): void {
  try {
    mustache.parse(template);
  } catch (error) {
    throw new Error(`${where}: property "${field}" is not a valid template: ${(error as Error).message}. Use {{field}} placeholders, e.g. {{title}}`);
  }
}

/** The plain-text body every notifier uses unless given a template. */
export function defaultBody(n: AlertNotification): string {
  const lines = [
    `${n.title}`,
    '',
    n.message,
    '',
    `Severity:  ${n.severity}`,
    `State:     ${n.state} (${n.transition})`,
    `Key:       ${n.key}`,
    ...(n.value !== undefined ? [`Value:     ${typeof n.value === 'string' ? n.value : JSON.stringify(n.value)}`] : []),
    `At:        ${n.at}`,
    `Raised at: ${n.raisedAt}`,
    ...(n.acknowledgedBy ? [`Acknowledged by: ${n.acknowledgedBy}`] : []),
    `Source:    ${n.source.name ?? n.source.nodeId} (node ${n.source.nodeId}, flow ${n.source.flowId})`,
    `Alert id:  ${n.alertId}`,
  ];
  return lines.join('\n');
}
