import { Type } from '@sinclair/typebox';
import { defineNode, NodeName, NumberLike, readmeBeside } from '@loopedge/runtime';
import { compileMessagePath, getPath, setPath } from '../../shared/property-expression.js';

const RangeConfig = Type.Object({
  name: NodeName,
  minin: NumberLike('', 'Input range: from'),
  maxin: NumberLike('', 'Input range: to'),
  minout: NumberLike('', 'Output range: from'),
  maxout: NumberLike('', 'Output range: to'),
  action: Type.String({ default: 'scale', description: 'scale, clamp (limit to the input range first), roll (wrap within the input range) or drop (discard values outside it)' }),
  round: Type.Boolean({ default: false, description: 'Round the result to the nearest integer' }),
  property: Type.String({ default: 'payload', description: 'The message property to scale' }),
});

export const rangeNode = defineNode({
  type: 'range',
  category: 'function',
  config: RangeConfig,
  inputs: 1,
  outputs: 1,
  editor: { label: 'range', icon: 'range.svg', color: '#E2D96E' },
  helpFile: readmeBeside(import.meta.url),
  create(node, config) {
    // Node-RED reads every bound with Number(): "" is 0.
    let minIn = Number(config.minin);
    let maxIn = Number(config.maxin);
    let minOut = Number(config.minout);
    let maxOut = Number(config.maxout);
    if (minIn > maxIn) {
      [minIn, maxIn] = [maxIn, minIn];
      [minOut, maxOut] = [maxOut, minOut];
    }
    const round = Boolean(config.round);
    if (round) {
      maxOut = Math.floor(maxOut);
      minOut = Math.ceil(minOut);
    }
    const action = config.action;
    const path = compileMessagePath(config.property || 'payload');
    const inSpan = maxIn - minIn;
    const outSpan = maxOut - minOut;

    return {
      input(msg, send) {
        // A missing parent throws, which reports an error with the message, as in Node-RED.
        const value = getPath(msg, path);
        if (value === undefined) {
          send(msg); // nothing to scale: pass the message on
          return;
        }
        let n = Number(value);
        if (Number.isNaN(n)) {
          node.log(`Not a number: ${String(value)}`);
          return;
        }
        if (action === 'drop' && (n < minIn || n > maxIn)) return;
        if (action === 'clamp') {
          if (n < minIn) n = minIn;
          if (n > maxIn) n = maxIn;
        }
        if (action === 'roll') n = (((n - minIn) % inSpan) + inSpan) % inSpan + minIn;
        let scaled = ((n - minIn) / inSpan) * outSpan + minOut;
        if (round) scaled = Math.round(scaled);
        setPath(msg, path, scaled);
        send(msg);
      },
    };
  },
});
