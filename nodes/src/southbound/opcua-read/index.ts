import { Type } from '@sinclair/typebox';
import { defineNode, NodeName, readmeBeside } from '@loopedge/runtime';
import { checkNodeIds, requireEndpoint, splitNodeIds, statusOf } from '../opcua-shared/endpoint-api.js';

/**
 * `opcua-read`: on each message, reads the configured NodeIds (or those in
 * msg.topic) and sends the values on.
 */
export const opcuaReadNode = defineNode({
  type: 'opcua-read',
  category: 'southbound',
  config: Type.Object({
    name: NodeName,
    endpoint: Type.String({ default: '', description: 'The opcua-endpoint configuration node' }),
    nodeIds: Type.Array(Type.String(), { default: [], description: 'NodeIds to read; empty: msg.topic (a NodeId or an array of them)' }),
  }),
  inputs: 1,
  outputs: 1,
  editor: { label: 'opcua read', icon: 'bridge.svg', color: '#3FADB5', widgets: { endpoint: 'config-node:opcua-endpoint', nodeIds: 'string-list' } },
  helpFile: readmeBeside(import.meta.url),
  async create(node, config) {
    const endpoint = requireEndpoint(node, config.endpoint);
    const configured = splitNodeIds(config.nodeIds);
    await checkNodeIds(node, 'nodeIds', configured);
    const unsubscribe = endpoint.onState((change) => node.status(statusOf(change)));
    return {
      async input(msg, send) {
        const nodeIds = configured.length > 0 ? configured : topicNodeIds(node.id, msg.topic);
        await checkNodeIds(node, 'msg.topic', nodeIds);
        const samples = await endpoint.read(nodeIds);
        const [first] = samples;
        if (samples.length === 1 && first && !first.statusCode.startsWith('Good') && !first.statusCode.startsWith('Uncertain')) {
          throw new Error(`opcua-read ${node.id}: reading ${first.nodeId} on ${endpoint.endpointUrl} failed: ${first.statusCode}`);
        }
        if (Array.isArray(msg.topic) || samples.length > 1 || !first) {
          // Several NodeIds: one message, every value with its own status.
          msg.payload = samples;
        } else {
          msg.payload = first.value;
          msg.topic = first.nodeId;
          msg.statusCode = first.statusCode;
          msg.sourceTimestamp = first.sourceTimestamp;
          msg.serverTimestamp = first.serverTimestamp;
        }
        send(msg);
      },
      close() {
        unsubscribe();
      },
    };
  },
});

function topicNodeIds(nodeId: string, topic: unknown): string[] {
  const ids = typeof topic === 'string' ? [topic.trim()] : Array.isArray(topic) && topic.every((t) => typeof t === 'string') ? (topic as string[]) : [];
  if (ids.length === 0 || ids.some((id) => id === '')) {
    throw new Error(`opcua-read ${nodeId}: no NodeId to read; configure nodeIds or send msg.topic = "ns=2;s=Counter" (or an array of NodeIds)`);
  }
  return ids;
}
