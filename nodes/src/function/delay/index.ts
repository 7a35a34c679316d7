import { Type } from '@sinclair/typebox';
import { defineNode, NodeName, NumberLike, readmeBeside } from '@loopedge/runtime';
import { delayEachMessage } from './delay-each.js';
import { rateLimitAll } from './rate-limit.js';
import { rateLimitByTopic } from './topic-queue.js';
import { delayMs, rateIntervalMs } from './units.js';

/**
 * Node-RED's `delay` node: delays each message (fixed, msg.delay or random),
 * or limits the rate of all messages or of each topic.
 */
export const delayNode = defineNode({
  type: 'delay',
  category: 'function',
  config: Type.Object({
    name: NodeName,
    pauseType: Type.Union(
      [Type.Literal('delay'), Type.Literal('delayv'), Type.Literal('random'), Type.Literal('rate'), Type.Literal('queue'), Type.Literal('timed')],
      { default: 'delay', description: 'delay / delayv (msg.delay) / random; rate (all messages), queue (each topic in turn), timed (all topics)' },
    ),
    timeout: NumberLike('5', 'Delay, in timeoutUnits'),
    timeoutUnits: Type.String({ default: 'seconds', description: 'milliseconds, seconds, minutes, hours or days' }),
    rate: NumberLike('1', 'Messages per nbRateUnits rateUnits'),
    nbRateUnits: NumberLike('1', 'How many rate units'),
    rateUnits: Type.String({ default: 'second', description: 'second, minute, hour or day' }),
    randomFirst: NumberLike('1', 'Random delay: lower bound, in randomUnits'),
    randomLast: NumberLike('5', 'Random delay: upper bound, in randomUnits'),
    randomUnits: Type.String({ default: 'seconds', description: 'milliseconds, seconds, minutes, hours or days' }),
    drop: Type.Boolean({ default: false, description: 'Rate limit: drop intermediate messages instead of queueing them' }),
    allowrate: Type.Boolean({ default: false, description: 'Let msg.rate (milliseconds) override the rate' }),
    outputs: NumberLike(1, '2 sends dropped messages on a second output'),
  }),
  inputs: 1,
  outputs: (config) => (Number(config.outputs) === 2 ? 2 : 1),
  editor: { label: 'delay', icon: 'timer.svg', color: '#E6E0F8', outputLabels: ['', 'dropped'] },
  // Node-RED copies the name as given, so error and status sources carry name: "" for unnamed nodes.
  keepsEmptyName: true,
  helpFile: readmeBeside(import.meta.url),
  create(node, config) {
    const timeoutMs = delayMs(config.timeout, config.timeoutUnits);
    const rateMs = rateIntervalMs(config.rate, config.rateUnits, config.nbRateUnits);
    const outputs = Number(config.outputs) === 2 ? 2 : 1;
    const maxKept = Number(node.settings.nodeMessageBufferMaxLength ?? 0) || 0;
    switch (config.pauseType) {
      case 'delay':
      case 'delayv':
      case 'random':
        return delayEachMessage(node, {
          mode: config.pauseType,
          timeoutMs,
          randomFirstMs: delayMs(config.randomFirst, config.randomUnits),
          randomLastMs: delayMs(config.randomLast, config.randomUnits),
        });
      case 'rate':
        return rateLimitAll(node, { rateMs, drop: config.drop === true, allowRate: config.allowrate === true, outputs, maxKept });
      case 'queue':
      case 'timed':
        return rateLimitByTopic(node, { rateMs, sendAll: config.pauseType === 'timed', allowRate: config.allowrate === true, outputs });
      default:
        throw new Error(`delay node ${node.id}: unknown pauseType "${String(config.pauseType)}"`);
    }
  },
});
