import { Type, type Static } from '@sinclair/typebox';
import { defineNode, NodeName, NumberLike, readmeBeside, type FlowMessage, type NodeApi } from '@loopedge/runtime';
import { compileMessagePath, setPath, type CompiledPath } from '../../shared/property-expression.js';
import { prepareTypedValue, type PreparedTypedValue } from '../../shared/typed-value.js';
import { scheduleCrontab, validateCrontab, type InjectSchedule } from './inject-schedule.js';

/** One property an inject node sets: `msg.<p>` = value `v` of type `vt`. */
const InjectProperty = Type.Object({
  p: Type.Optional(Type.String({ description: 'Message property to set, e.g. payload' })),
  v: Type.Optional(Type.Unknown({ description: 'The value (its meaning depends on vt)' })),
  vt: Type.Optional(Type.String({ description: 'Value type: str, num, bool, json, bin, date, msg, flow, global, env, jsonata' })),
});

const InjectConfig = Type.Object({
  name: NodeName,
  // No defaults on props/payload/payloadType/topic: Node-RED treats a missing
  // `props` as the legacy payload/topic form and a missing `v` as "use payload".
  props: Type.Optional(Type.Array(InjectProperty, { description: 'Properties set on each injected message' })),
  repeat: NumberLike('', 'Repeat every this many seconds ("" for no repeat)'),
  crontab: Type.String({ default: '', description: 'Cron schedule (5, 6 or 7 fields) when repeat is not set' }),
  once: Type.Union([Type.Boolean(), Type.String()], { default: false, description: 'Inject once after start' }),
  onceDelay: NumberLike(0.1, 'Seconds to wait before the first inject when `once` is set'),
  topic: Type.Optional(Type.Unknown({ description: 'Legacy form: the topic' })),
  payload: Type.Optional(Type.Unknown({ description: 'Legacy form: the payload value' })),
  payloadType: Type.Optional(Type.String({ description: 'Legacy form: the payload type' })),
});
type InjectConfig = Static<typeof InjectConfig>;
type InjectProperty = Static<typeof InjectProperty>;

/** Largest repeat Node-RED allows (setInterval's limit, in seconds). */
const MAX_REPEAT_SECONDS = 2147483;

interface PreparedProperty {
  path: CompiledPath;
  value: PreparedTypedValue | null;
}

/** Node-RED's normalisation of the legacy form and of props without a value. */
function normaliseProps(config: InjectConfig): InjectProperty[] {
  if (!Array.isArray(config.props)) {
    return [
      { p: 'payload', v: config.payload, vt: config.payloadType },
      { p: 'topic', v: config.topic, vt: 'str' },
    ];
  }
  return config.props.map((prop) => {
    if (prop.p === 'payload' && !Object.prototype.hasOwnProperty.call(prop, 'v')) {
      return { ...prop, v: config.payload, vt: config.payloadType };
    }
    if (prop.p === 'topic' && prop.vt === 'str' && !Object.prototype.hasOwnProperty.call(prop, 'v')) {
      return { ...prop, v: config.topic };
    }
    return prop;
  });
}

function prepareProps(node: NodeApi, props: InjectProperty[]): PreparedProperty[] {
  const prepared: PreparedProperty[] = [];
  for (const prop of props) {
    if (!prop.p) continue; // Node-RED skips rows without a property name
    const type = prop.vt ?? 'str';
    const raw = prop.v ?? '';
    // An empty JSONata expression sets nothing, as in Node-RED.
    const value = type === 'jsonata' && !raw ? null : prepareTypedValue(node, raw, type, `property msg.${prop.p}`);
    prepared.push({ path: compileMessagePath(prop.p), value });
  }
  return prepared;
}

/** The `__user_inject_props__` a server-side "inject now" may carry, as in Node-RED. */
function userProps(node: NodeApi, msg: Record<string, unknown>): PreparedProperty[] | null {
  const custom = msg.__user_inject_props__;
  delete msg.__user_inject_props__;
  return Array.isArray(custom) ? prepareProps(node, custom as InjectProperty[]) : null;
}

/**
 * Set every property on the message, in order (a JSONata value may read the
 * properties set before it). Returns the errors, joined as Node-RED does.
 */
async function applyProps(msg: Record<string, unknown>, props: PreparedProperty[]): Promise<string[]> {
  const errors: string[] = [];
  for (const { path, value } of props) {
    if (!value) continue;
    try {
      const result = value.isAsync ? await value.evaluate(msg as FlowMessage) : value.evaluate(msg as FlowMessage);
      setPath(msg, path, result, true);
    } catch (err) {
      errors.push(err instanceof Error ? err.toString() : String(err));
    }
  }
  return errors;
}

/**
 * What a running inject node offers the server: the editor's inject button
 * (`POST /api/nodes/:id/inject`) fires the node as its timer would.
 */
export interface InjectApi {
  trigger(): void;
}

export const injectNode = defineNode({
  type: 'inject',
  category: 'common',
  config: InjectConfig,
  inputs: 0,
  outputs: 1,
  editor: {
    label: 'inject',
    icon: 'inject.svg',
    color: '#a6bbcf',
    widgets: { props: 'inject-props', repeat: 'inject-schedule', crontab: 'inject-schedule' },
  },
  helpFile: readmeBeside(import.meta.url),
  create(node, config) {
    const props = prepareProps(node, normaliseProps(config));
    let onceTimer: NodeJS.Timeout | null = null;
    let interval: NodeJS.Timeout | null = null;
    let schedule: InjectSchedule | null = null;

    let repeatSeconds = Number(config.repeat);
    if (repeatSeconds > MAX_REPEAT_SECONDS) {
      node.error(`Node ${node.id}: repeat ${config.repeat} s is too large (at most ${MAX_REPEAT_SECONDS} s); the node will not repeat`);
      repeatSeconds = 0;
    }

    // A timer-made message starts empty; _msgid is added last so the key order
    // matches Node-RED's (payload, topic, _msgid).
    const injectFromTimer = (): void => {
      const msg: Record<string, unknown> = {};
      void applyProps(msg, props).then((errors) => {
        if (!('_msgid' in msg)) msg._msgid = node.newMessageId();
        if (errors.length > 0) node.error(errors.join('; '), msg as FlowMessage);
        else node.send(msg as FlowMessage);
      });
    };

    const startRepeating = (): void => {
      if (config.repeat !== '' && repeatSeconds > 0) {
        interval = setInterval(injectFromTimer, repeatSeconds * 1000);
      } else if (config.crontab) {
        schedule = scheduleCrontab(config.crontab, injectFromTimer);
      }
    };

    if (!(config.repeat !== '' && repeatSeconds > 0) && config.crontab) validateCrontab(config.crontab);

    if (config.once) {
      const delaySeconds = config.onceDelay === '' || config.onceDelay === 0 ? 0.1 : Number(config.onceDelay);
      onceTimer = setTimeout(() => {
        onceTimer = null;
        injectFromTimer();
        startRepeating();
      }, delaySeconds * 1000);
    } else {
      startRepeating();
    }

    const api: InjectApi = {
      trigger() {
        injectFromTimer();
      },
    };

    return {
      api,
      // Messages delivered to the node ("inject now" from the editor, tests):
      // the properties are set on that message, as Node-RED does.
      async input(msg, send) {
        const target = msg as Record<string, unknown>;
        const errors = await applyProps(target, userProps(node, target) ?? props);
        if (errors.length > 0) throw new Error(errors.join('; '));
        send(msg);
      },
      close() {
        if (onceTimer) clearTimeout(onceTimer);
        if (interval) clearInterval(interval);
        schedule?.stop();
        onceTimer = interval = schedule = null;
      },
    };
  },
});
