import { Type } from '@sinclair/typebox';
import { ALERT_SEVERITIES, defineNode, NodeName, NumberLike, readmeBeside, type AlertChange, type AlertService, type FlowMessage } from '@loopedge/runtime';
import { isNotifierApi, type AlertNotification } from '../shared/alert-notification.js';
import { parseNumberLike } from '../../shared/typed-value.js';
import { compileCondition, compileTemplate } from './alert-condition.js';
import { AlertTracker } from './alert-tracker.js';

const AlertConfig = Type.Object({
  name: NodeName,
  condition: Type.Union([Type.Literal('message'), Type.Literal('above'), Type.Literal('below'), Type.Literal('jsonata')], {
    default: 'above',
    description: 'message: every message means it holds (e.g. rule events); above / below: property compared with threshold; jsonata: expression is true',
  }),
  property: Type.String({ default: 'payload', description: 'The message property compared (above / below)' }),
  threshold: NumberLike('', 'Raise while the value is above (or below) this'),
  clearBelow: NumberLike('', 'above: clear only once the value is below this (default: threshold)'),
  clearAbove: NumberLike('', 'below: clear only once the value is above this (default: threshold)'),
  expression: Type.String({ default: '', description: 'jsonata: true while the condition holds' }),
  clearExpression: Type.String({ default: '', description: 'jsonata: true when the alert may clear (default: expression is false)' }),
  severity: Type.Union(ALERT_SEVERITIES.map((s) => Type.Literal(s)), { default: 'major' }),
  title: Type.String({ default: '{{topic}} alert', description: 'Mustache template over the message' }),
  message: Type.String({ default: 'Value: {{payload}}', description: 'Mustache template over the message' }),
  key: Type.String({ default: '', description: 'Deduplication key (mustache template); empty: the node id. One open alert per key.' }),
  debounceSamples: NumberLike(1, 'The condition must hold for this many messages in a row'),
  debounceSeconds: NumberLike(0, 'and for this many seconds'),
  autoClearSeconds: NumberLike(0, 'Clear this long after the condition was last seen holding (0: never)'),
  renotifySeconds: NumberLike(0, 'Notify again this often while active and not acknowledged (0: never)'),
  notifiers: Type.Array(Type.String(), { default: [], description: 'Notifier config nodes (notify-email, notify-webhook, notify-mqtt)' }),
});

function seconds(value: number | string, field: string, nodeId: string): number {
  const parsed = parseNumberLike(value, Number.NaN);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`Node ${nodeId}: ${field}: "${String(value)}" is not a number of seconds (0 or more)`);
  return parsed * 1000;
}

function requireAlertService(service: AlertService | undefined, nodeId: string): AlertService {
  if (!service) throw new Error(`Node ${nodeId}: the alert node needs the alert service, which this runtime was started without; run it in the LoopEdge server (or pass host.alerts)`);
  return service;
}

export const alertNode = defineNode({
  type: 'alert',
  category: 'alerts',
  config: AlertConfig,
  inputs: 1,
  outputs: 1,
  editor: { label: 'alert', icon: 'alert.svg', color: '#E9967A', outputLabels: ['alert transitions'], widgets: { notifiers: 'config-node-list:notifier' } },
  helpFile: readmeBeside(import.meta.url),
  create(node, config) {
    const service = requireAlertService(node.host.alerts, node.id);
    const evaluate = compileCondition(node, config);
    const title = compileTemplate(node, 'title', config.title);
    const text = compileTemplate(node, 'message', config.message);
    const keyOf = config.key ? compileTemplate(node, 'key', config.key) : () => node.id;
    config.notifiers.forEach((id, i) => {
      if (!isNotifierApi(node.getConfigNode(id))) throw new Error(`Node ${node.id}: notifiers[${i}]: "${id}" is not a deployed notifier config node (notify-email, notify-webhook, notify-mqtt); add it or remove it from the list`);
    });
    const debounceSamples = Math.max(1, Math.floor(parseNumberLike(config.debounceSamples, 1)));

    const notify = (change: AlertChange): void => {
      const { alert } = change;
      const notification: AlertNotification = {
        alertId: alert.id,
        key: alert.key,
        severity: alert.severity,
        state: alert.state,
        transition: change.transition,
        title: alert.title,
        message: alert.message,
        source: alert.source,
        ...(change.value !== undefined ? { value: change.value } : alert.value !== undefined ? { value: alert.value } : {}),
        at: alert.updatedAt,
        raisedAt: alert.raisedAt,
        ...(alert.acknowledgedBy ? { acknowledgedBy: alert.acknowledgedBy } : {}),
      };
      // Re-resolved each time: a redeployed notifier hands out a new api object.
      for (const id of config.notifiers) {
        const notifier = node.getConfigNode(id);
        if (!isNotifierApi(notifier)) {
          node.warn(`Notifier "${id}" is not running; alert ${alert.key} (${change.transition}) was not sent through it`);
          continue;
        }
        try {
          notifier.notify(notification);
        } catch (error) {
          node.warn(`Notifier "${id}" failed on alert ${alert.key}: ${(error as Error).message}`);
        }
      }
      node.send({ _msgid: node.newMessageId(), topic: alert.key, payload: notification });
      showStatus();
    };

    const tracker = new AlertTracker({
      service,
      nodeId: node.id,
      debounceSamples,
      debounceMs: seconds(config.debounceSeconds, 'debounceSeconds', node.id),
      autoClearMs: seconds(config.autoClearSeconds, 'autoClearSeconds', node.id),
      renotifyMs: seconds(config.renotifySeconds, 'renotifySeconds', node.id),
      raise(key, msg, value) {
        service.raise({ key, severity: config.severity, title: title(msg), message: text(msg), source: { nodeId: node.id, flowId: node.z, ...(node.name ? { name: node.name } : {}) }, ...(value !== undefined ? { value: jsonValue(value) } : {}) });
      },
      announce: notify,
      fail: (error) => node.error(error),
    });

    function showStatus(): void {
      const open = tracker.openCount;
      node.status(open > 0 ? { fill: 'red', shape: 'dot', text: `${open} open` } : { fill: 'green', shape: 'dot', text: 'ok' });
    }
    showStatus();

    const handle = async (msg: FlowMessage): Promise<void> => {
      const key = keyOf(msg);
      if (msg.clear === true) {
        tracker.clearKey(key, jsonValue(msg.payload));
        return;
      }
      const reading = await evaluate(msg);
      if (reading) tracker.observe(key, reading, msg);
    };
    // Messages are judged in arrival order even when a JSONata condition
    // takes a different number of ticks for each: a late "holds" must not
    // overtake the "clears" that came after it.
    let chain: Promise<void> = Promise.resolve();

    return {
      input(msg) {
        const run = chain.then(() => handle(msg));
        chain = run.catch(() => undefined);
        return run;
      },
      close() {
        tracker.close();
      },
    };
  },
});

/** Values stored with an alert must survive JSON (SQLite, the API, notifiers). */
function jsonValue(value: unknown): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(JSON.stringify(value)) as unknown;
  } catch {
    return String(value);
  }
}
