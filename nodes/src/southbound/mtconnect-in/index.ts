import { Type } from '@sinclair/typebox';
import { defineNode, NodeName, NumberLike, readmeBeside } from '@loopedge/runtime';
import { MTConnectPoller } from './mtconnect-poller.js';

const MTConnectInConfig = Type.Object({
  name: NodeName,
  agentUrl: Type.String({ default: '', description: 'MTConnect agent base URL, e.g. http://agent:5000' }),
  device: Type.String({ default: '', description: 'Device name to follow ("" = every device of the agent)' }),
  interval: NumberLike(1000, 'Milliseconds between sample requests'),
  count: NumberLike(1000, 'Most observations one sample request asks for'),
  timeout: NumberLike(10000, 'Milliseconds to wait for the agent before a request fails'),
});

function positive(value: number | string, field: string, nodeId: string, fallback: number): number {
  const n = value === '' ? fallback : Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`mtconnect-in ${nodeId}: "${field}" must be a positive number, got "${value}"`);
  return n;
}

export const mtconnectInNode = defineNode({
  type: 'mtconnect-in',
  category: 'southbound',
  config: MTConnectInConfig,
  inputs: 0,
  outputs: 1,
  editor: { label: 'mtconnect in', icon: 'bridge.svg', color: '#c7d8e6' },
  helpFile: readmeBeside(import.meta.url),
  create(node, config) {
    if (!/^https?:\/\//.test(config.agentUrl)) {
      throw new Error(`mtconnect-in ${node.id}: "agentUrl" must be an http(s) URL such as http://agent:5000, got "${config.agentUrl}"`);
    }
    const poller = new MTConnectPoller(
      {
        agentUrl: config.agentUrl,
        device: config.device,
        intervalMs: positive(config.interval, 'interval', node.id, 1000),
        count: Math.floor(positive(config.count, 'count', node.id, 1000)),
        timeoutMs: positive(config.timeout, 'timeout', node.id, 10000),
      },
      {
        observations(observations) {
          for (const o of observations) node.send({ _msgid: node.newMessageId(), topic: `${o.device}/${o.dataItemId}`, payload: o });
        },
        failed(error) {
          node.status({ fill: 'red', shape: 'ring', text: 'error' });
          node.error(`mtconnect-in ${node.id}: ${error.message}; retrying every interval`);
        },
        state(state, detail) {
          node.status(state === 'streaming' ? { fill: 'green', shape: 'dot', text: `streaming (${detail})` } : { fill: 'yellow', shape: 'ring', text: 'synchronizing' });
        },
        notice(text) {
          node.warn(`mtconnect-in ${node.id}: ${text}`);
        },
      },
    );
    poller.start();
    return {
      close: () => poller.stop(),
    };
  },
});
