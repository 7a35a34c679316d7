import { Type } from '@sinclair/typebox';
import { defineNode, NodeName, NumberLike, readmeBeside } from '@loopedge/runtime';
import { checkNodeIds, numberProperty, requireEndpoint, splitNodeIds, statusOf } from '../opcua-shared/endpoint-api.js';

/**
 * `opcua-in`: subscribes to OPC UA variables and sends one message per value
 * change. The subscription is restored after every reconnect and recreated by
 * a watchdog when it falls silent.
 */
export const opcuaInNode = defineNode({
  type: 'opcua-in',
  category: 'southbound',
  config: Type.Object({
    name: NodeName,
    endpoint: Type.String({ default: '', description: 'The opcua-endpoint configuration node' }),
    nodeIds: Type.Array(Type.String(), { default: [], description: 'NodeIds to monitor, e.g. ns=2;s=Counter' }),
    samplingInterval: NumberLike('1000', 'Sampling and publishing interval, ms'),
    queueSize: NumberLike('10', 'Values the server queues per item between publishes'),
    deadbandType: Type.Union([Type.Literal('none'), Type.Literal('absolute'), Type.Literal('percent')], {
      default: 'none',
      description: 'Report only changes larger than the deadband: absolute, or percent of the EURange',
    }),
    deadbandValue: NumberLike('0', 'Deadband size (value units, or percent)'),
  }),
  inputs: 0,
  outputs: 1,
  editor: { label: 'opcua in', icon: 'bridge.svg', color: '#3FADB5', widgets: { endpoint: 'config-node:opcua-endpoint', nodeIds: 'string-list' } },
  helpFile: readmeBeside(import.meta.url),
  async create(node, config) {
    const endpoint = requireEndpoint(node, config.endpoint);
    const nodeIds = splitNodeIds(config.nodeIds);
    if (nodeIds.length === 0) throw new Error(`opcua-in ${node.id}: nodeIds is empty; list the variables to monitor, e.g. ns=2;s=Counter`);
    await checkNodeIds(node, 'nodeIds', nodeIds);
    const request = {
      nodeIds,
      samplingInterval: numberProperty(node, 'samplingInterval', config.samplingInterval, 0),
      queueSize: numberProperty(node, 'queueSize', config.queueSize, 1),
      deadband: { type: config.deadbandType, value: numberProperty(node, 'deadbandValue', config.deadbandValue, 0) },
    };
    if (request.deadband.type === 'percent' && request.deadband.value > 100) {
      throw new Error(`opcua-in ${node.id}: deadbandValue is a percentage for deadbandType percent and must be 0 to 100`);
    }

    const unsubscribe = endpoint.onState((change) => node.status(statusOf(change)));
    const handle = endpoint.monitor(request, {
      onSample(sample) {
        node.send({
          _msgid: node.newMessageId(),
          payload: sample.value,
          topic: sample.nodeId,
          sourceTimestamp: sample.sourceTimestamp,
          serverTimestamp: sample.serverTimestamp,
          statusCode: sample.statusCode,
        });
      },
      onItemError(nodeId, message) {
        node.status({ fill: 'red', shape: 'ring', text: `${nodeId}: ${message}`.slice(0, 80) });
        node.error(`opcua-in ${node.id}: cannot monitor ${nodeId} on ${endpoint.endpointUrl}: ${message}; check the NodeId (and the deadband, which needs an analog item for percent)`);
      },
      onRecreate(reason) {
        node.warn(`opcua-in ${node.id}: recreating the subscription on ${endpoint.endpointUrl}: ${reason}`);
      },
    });
    return {
      async close() {
        unsubscribe();
        await handle.close();
      },
    };
  },
});
