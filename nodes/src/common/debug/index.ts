import { inspect } from 'node:util';
import { Type, type Static } from '@sinclair/typebox';
import { defineNode, NodeName, readmeBeside, type FlowMessage, type NodeApi, type NodeStatus } from '@loopedge/runtime';
import { compileMessagePath, getPath, type CompiledPath } from '../../shared/property-expression.js';
import { prepareJsonata, type PreparedJsonata } from '../../shared/jsonata-expression.js';
import { copyForDebug, stringifyForConsole } from './debug-value.js';

const DebugConfig = Type.Object({
  name: NodeName,
  // null/missing means active, as in Node-RED.
  active: Type.Union([Type.Boolean(), Type.Null()], { default: true, description: 'Send to the sidebar (toggled from the editor)' }),
  tosidebar: Type.Boolean({ default: true, description: 'Show in the debug sidebar' }),
  console: Type.Union([Type.Boolean(), Type.String()], { default: false, description: 'Write one JSON line per message to the system console' }),
  tostatus: Type.Union([Type.Boolean(), Type.String()], { default: false, description: 'Show a value in the node status' }),
  complete: Type.Union([Type.String(), Type.Boolean()], {
    default: 'false',
    description: '"false": msg.payload; "true": the whole message; otherwise a property path (or JSONata when targetType is jsonata)',
  }),
  targetType: Type.Optional(Type.String({ description: 'msg, full or jsonata' })),
  statusVal: Type.String({ default: '', description: 'Property (or JSONata) shown in the status' }),
  statusType: Type.String({ default: 'auto', description: 'auto (same as output), msg, jsonata or counter' }),
});
type DebugConfig = Static<typeof DebugConfig>;

/** What a debug node exposes to the server: the editor's on/off button. */
export interface DebugNodeControl {
  setActive(active: boolean): void;
  readonly active: boolean;
}

/** Below this gap between messages the counter status is debounced (Node-RED's values). */
const COUNTER_THROTTLE_MS = 100;
const COUNTER_DEBOUNCE_MS = 200;

type ValueSource = { kind: 'message' } | { kind: 'path'; path: CompiledPath; property: string } | { kind: 'jsonata'; expression: PreparedJsonata };

function readPath(msg: FlowMessage, path: CompiledPath): unknown {
  try {
    return getPath(msg, path);
  } catch {
    return undefined; // a missing parent shows as undefined, as in Node-RED
  }
}

/** Status text as Node-RED builds it: strings as they are, anything else through util.inspect. */
function statusFor(output: unknown, msg: FlowMessage, auto: boolean, maxLength: number): NodeStatus {
  let text = typeof output === 'string' ? output : inspect(output);
  let fill: NodeStatus['fill'] = 'grey';
  let shape: NodeStatus['shape'] = 'dot';
  if (output !== null && typeof output === 'object') {
    const o = output as NodeStatus;
    if (o.fill && o.shape && o.text) ({ fill, shape, text } = o);
  }
  if (auto) {
    const error = msg.error as { message?: unknown } | undefined;
    if (Object.prototype.hasOwnProperty.call(msg, 'error')) {
      fill = 'red';
      text = String(error?.message);
    }
    if (Object.prototype.hasOwnProperty.call(msg, 'status')) {
      const s = (msg.status ?? {}) as NodeStatus;
      fill = s.fill || 'grey';
      shape = s.shape || 'ring';
      text = s.text || '';
    }
  }
  if (text.length > maxLength) text = `${text.slice(0, maxLength)}...`;
  return { fill, shape, text };
}

function isOwnStatus(node: NodeApi, msg: FlowMessage): boolean {
  const status = msg.status as { source?: { id?: unknown } } | undefined;
  return status !== null && typeof status === 'object' && status.source?.id === node.id;
}

export const debugNode = defineNode({
  type: 'debug',
  category: 'common',
  config: DebugConfig,
  inputs: 1,
  outputs: 0,
  editor: { label: 'debug', icon: 'debug.svg', color: '#87a980', align: 'right', widgets: { complete: 'typed-input:targetType', statusVal: 'typed-input:statusType' } },
  // Node-RED copies the name as given, so error and status sources carry name: "" for unnamed nodes.
  keepsEmptyName: true,
  helpFile: readmeBeside(import.meta.url),
  create(node, config: DebugConfig) {
    const maxLength = Number(node.settings.debugMaxLength) || 1000;
    const statusLength = Number(node.settings.debugStatusLength) || 32;
    const toConsole = String(config.console || false) === 'true';
    const toStatus = config.tostatus === true;
    let active = config.active !== false;

    const complete = config.complete === false || config.complete === 'false' || config.complete === '' ? 'payload' : String(config.complete);
    const output: ValueSource =
      config.targetType === 'jsonata'
        ? { kind: 'jsonata', expression: prepareJsonata(node, String(config.complete)) }
        : complete === 'true'
          ? { kind: 'message' }
          : { kind: 'path', path: compileMessagePath(complete), property: complete };

    const statusType = config.statusType || 'auto';
    const statusVal = config.statusVal || complete;
    const statusSource: ValueSource | null =
      statusType === 'auto' || statusType === 'counter'
        ? null
        : statusType === 'jsonata'
          ? { kind: 'jsonata', expression: prepareJsonata(node, statusVal) }
          : { kind: 'path', path: compileMessagePath(statusVal), property: statusVal };

    let lastStatus = '';
    let counter = 0;
    let lastCount = Date.now();
    let counterTimer: NodeJS.Timeout | null = null;

    if (toStatus) node.status({ fill: 'grey', shape: 'ring' });
    if (statusType === 'counter') node.status({ fill: 'blue', shape: 'ring', text: '0' });
    else node.status({});

    const evaluate = (source: ValueSource, msg: FlowMessage): unknown | Promise<unknown> => {
      if (source.kind === 'message') return msg;
      if (source.kind === 'path') return readPath(msg, source.path);
      return source.expression.evaluate(msg);
    };

    const showStatus = (value: unknown, msg: FlowMessage): void => {
      const status = statusFor(value, msg, statusType === 'auto', statusLength);
      const key = `${status.fill}|${status.shape}|${status.text}`;
      if (key !== lastStatus) {
        lastStatus = key;
        node.status(status);
      }
    };

    const countMessage = (): void => {
      counter++;
      const now = Date.now();
      const gap = now - lastCount;
      lastCount = now;
      if (gap > COUNTER_THROTTLE_MS) {
        node.status({ fill: 'blue', shape: 'ring', text: String(counter) });
        return;
      }
      if (counterTimer) clearTimeout(counterTimer);
      counterTimer = setTimeout(() => {
        counterTimer = null;
        node.status({ fill: 'blue', shape: 'ring', text: String(counter) });
      }, COUNTER_DEBOUNCE_MS);
    };

    const publish = (value: unknown, msg: FlowMessage): void => {
      const property = output.kind === 'message' ? 'msg' : output.kind === 'path' ? output.property : '';
      if (toConsole) {
        const line = stringifyForConsole({ debug: node.id, name: node.name, msgid: msg._msgid, topic: msg.topic, property, value });
        process.stdout.write(`${line}\n`);
      }
      if (active && config.tosidebar !== false) {
        node.publishDebug({ property, value: copyForDebug(value, { maxLength }), msgid: msg._msgid, topic: msg.topic });
      }
    };

    const report = (what: string, source: ValueSource, err: unknown): void => {
      const expression = source.kind === 'jsonata' ? source.expression.source : '';
      node.error(`Node ${node.id}: invalid JSONata expression for the ${what}: ${expression} (${err instanceof Error ? err.message : String(err)})`);
    };

    const updateStatus = async (msg: FlowMessage, shown: unknown | Promise<unknown>): Promise<void> => {
      if (statusType === 'counter') return countMessage();
      let value: unknown;
      if (statusSource === null) value = complete === 'true' && output.kind === 'message' ? msg.payload : await shown;
      else {
        try {
          value = await evaluate(statusSource, msg);
        } catch (err) {
          return report('status', statusSource, err);
        }
      }
      showStatus(value, msg);
    };

    return {
      api: {
        setActive(state: boolean) {
          active = state;
        },
        get active() {
          return active;
        },
      } satisfies DebugNodeControl,
      input(msg) {
        if (isOwnStatus(node, msg)) return;
        const shown = evaluate(output, msg);
        const synchronous = !(shown instanceof Promise) && !(statusSource?.kind === 'jsonata');
        if (synchronous) {
          // The common case: no JSONata anywhere, no promise on the hot path.
          if (toStatus) {
            if (statusType === 'counter') countMessage();
            else showStatus(statusSource ? evaluate(statusSource, msg) : complete === 'true' ? msg.payload : shown, msg);
          }
          publish(shown, msg);
          return;
        }
        return (async () => {
          const settled = Promise.resolve(shown);
          if (toStatus) await updateStatus(msg, settled.catch(() => undefined));
          let value: unknown;
          try {
            value = await settled;
          } catch (err) {
            return report('output', output, err);
          }
          publish(value, msg);
        })();
      },
      close() {
        if (counterTimer) clearTimeout(counterTimer);
        if (toStatus) node.status({}); // Node-RED clears a status it may have shown
      },
    };
  },
});
