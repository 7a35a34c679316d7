import { Type } from '@sinclair/typebox';
import { cloneValue, defineNode, NodeName, readmeBeside, type FlowMessage } from '@loopedge/runtime';
import { compileMessagePath, getPathOrUndefined} from '../../shared/property-expression.js';
import { sameValue } from './same-value.js';

type FilterMode = 'rbe' | 'rbei' | 'deadband' | 'deadbandEq' | 'narrowband' | 'narrowbandEq';

const NO_TOPIC = '_no_topic';

/**
 * Node-RED's `rbe` node ("filter" in the palette): report by exception, or
 * dead-band / narrow-band filtering of numeric values, per topic.
 */
export const rbeNode = defineNode({
  type: 'rbe',
  category: 'function',
  config: Type.Object({
    name: NodeName,
    func: Type.Union(
      [
        Type.Literal('rbe'),
        Type.Literal('rbei'),
        Type.Literal('deadband'),
        Type.Literal('deadbandEq'),
        Type.Literal('narrowband'),
        Type.Literal('narrowbandEq'),
      ],
      { default: 'rbe', description: 'Filter mode' },
    ),
    gap: Type.Union([Type.String(), Type.Number()], {
      default: '',
      description: 'Band gap for the dead/narrow-band modes: a number, or a percentage such as "5%"',
    }),
    start: Type.Union([Type.String(), Type.Number()], {
      default: '',
      description: 'Narrow-band start value; blank uses the first value received',
    }),
    inout: Type.Union([Type.Literal('out'), Type.Literal('in')], {
      default: 'out',
      description: 'Compare with the last value sent (out) or the last value received (in)',
    }),
    septopics: Type.Boolean({ default: true, description: 'Apply the mode separately for each topic' }),
    property: Type.String({ default: 'payload', description: 'Message property to watch' }),
    topi: Type.String({ default: 'topic', description: 'Message property that names the topic' }),
  }),
  inputs: 1,
  outputs: 1,
  editor: { label: 'filter', paletteLabel: 'filter', icon: 'rbe.png', color: '#E2D96E', widgets: { property: 'msg-property', topi: 'msg-property' } },
  helpFile: readmeBeside(import.meta.url),
  create(node, config) {
    const mode = config.func as FilterMode;
    const gapText = String(config.gap === '' ? '0' : config.gap);
    // "5%" means 5 % of the previous value, recomputed for every message.
    const percent = gapText.endsWith('%');
    const fixedGap = percent ? 0 : Number(gapText);
    const gapPercent = percent ? parseFloat(gapText) : 0;
    const start = config.start === '' ? undefined : Number(config.start);
    const separateTopics = config.septopics !== false;
    let previous = new Map<string, unknown>();

    const propertyPath = compileMessagePath(config.property || 'payload');
    const topicPath = compileMessagePath(config.topi || 'topic');

    function reportByException(msg: FlowMessage, key: string, value: unknown): void {
      // rbei: the first value of a topic is remembered but not sent.
      const mayPass = mode !== 'rbei' || previous.has(key);
      let last = previous.get(key);
      if (typeof value === 'object' && typeof last !== 'object') {
        // As in Node-RED: an object is compared with {} when nothing comparable was seen,
        // and that {} is remembered even if the message is blocked.
        last = {};
        previous.set(key, last);
      }
      const changed = typeof value === 'object' ? !sameValue(value, last) : value !== last;
      if (!changed) return;
      previous.set(key, cloneValue(value));
      if (mayPass) node.send(msg);
    }

    function band(msg: FlowMessage, key: string, value: unknown): void {
      const n = parseFloat(value as string);
      if (Number.isNaN(n)) {
        node.warn('no number found in payload');
        return;
      }
      let last = previous.get(key) as number | undefined;
      if (last === undefined && (mode === 'narrowband' || mode === 'narrowbandEq')) last = start ?? n;
      const gap = percent ? Math.abs(((last ?? NaN) * gapPercent) / 100) || 0 : fixedGap;
      if (last === undefined) last = n - gap - 1; // dead-band: the first value always passes
      previous.set(key, last);
      const change = Math.abs(n - last);
      const pass =
        change === gap
          ? mode === 'deadbandEq' || mode === 'narrowband'
          : change > gap
            ? mode === 'deadband' || mode === 'deadbandEq'
            : change < gap && (mode === 'narrowband' || mode === 'narrowbandEq');
      if (pass) {
        if (config.inout === 'out') previous.set(key, n);
        node.send(msg);
      }
      if (config.inout === 'in') previous.set(key, n);
    }

    return {
      input(msg) {
        const topic = getPathOrUndefined(msg, topicPath);
        if (Object.hasOwn(msg, 'reset')) {
          // Node-RED deletes by msg.topic even when the topic property is another one;
          // we use the configured topic property, which is what the reset is documented to do.
          if (separateTopics && typeof topic === 'string' && topic !== '') previous.delete(topic);
          else previous = new Map();
        }
        const value = getPathOrUndefined(msg, propertyPath);
        if (value === undefined) return; // messages without the property are ignored
        const key = separateTopics && topic ? String(topic) : NO_TOPIC;
        if (mode === 'rbe' || mode === 'rbei') reportByException(msg, key, value);
        else band(msg, key, value);
      },
    };
  },
});
