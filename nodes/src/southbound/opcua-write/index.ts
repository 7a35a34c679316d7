import { Type } from '@sinclair/typebox';
import { defineNode, NodeName, readmeBeside } from '@loopedge/runtime';
import { checkNodeIds, requireEndpoint, statusOf, type OpcuaEndpointApi } from '../opcua-shared/endpoint-api.js';
import { isWritableType, writableTypeOf, WRITABLE_TYPES, type WritableType } from '../opcua-shared/write-types.js';

/**
 * `opcua-write`: writes msg.payload to one OPC UA variable, converted to the
 * configured data type (or the variable's own type, read once from the server).
 */
export const opcuaWriteNode = defineNode({
  type: 'opcua-write',
  category: 'southbound',
  config: Type.Object({
    name: NodeName,
    endpoint: Type.String({ default: '', description: 'The opcua-endpoint configuration node' }),
    nodeId: Type.String({ default: '', description: 'NodeId to write; empty: msg.topic' }),
    dataType: Type.Union([Type.Literal(''), ...WRITABLE_TYPES.map((t) => Type.Literal(t))], {
      default: '',
      description: "OPC UA data type of the value; empty: msg.dataType, else the variable's type read from the server",
    }),
  }),
  inputs: 1,
  outputs: 1,
  editor: { label: 'opcua write', icon: 'bridge.svg', color: '#3FADB5', align: 'right', widgets: { endpoint: 'config-node:opcua-endpoint' } },
  helpFile: readmeBeside(import.meta.url),
  async create(node, config) {
    const endpoint = requireEndpoint(node, config.endpoint);
    if (config.nodeId !== '') await checkNodeIds(node, 'nodeId', [config.nodeId]);
    const { toVariant } = await import('../opcua-shared/values.js');
    const unsubscribe = endpoint.onState((change) => node.status(statusOf(change)));
    // A variable's type does not change while the server runs; read it once per NodeId.
    const detectedTypes = new Map<string, WritableType>();

    async function typeFor(nodeId: string, msgType: unknown): Promise<WritableType> {
      if (config.dataType !== '') return config.dataType;
      if (typeof msgType === 'string' && msgType !== '') {
        if (isWritableType(msgType)) return msgType;
        throw new Error(`opcua-write ${node.id}: msg.dataType "${msgType}" is not one of ${WRITABLE_TYPES.join(', ')}`);
      }
      return detectedTypes.get(nodeId) ?? (await detectType(endpoint, nodeId, node.id, detectedTypes));
    }

    return {
      async input(msg, send) {
        const nodeId = config.nodeId !== '' ? config.nodeId : typeof msg.topic === 'string' ? msg.topic.trim() : '';
        if (nodeId === '') throw new Error(`opcua-write ${node.id}: no NodeId to write; configure nodeId or send msg.topic = "ns=2;s=Setpoint"`);
        await checkNodeIds(node, 'msg.topic', [nodeId]);
        const dataType = await typeFor(nodeId, msg.dataType);
        let variant;
        try {
          variant = toVariant(dataType, msg.payload);
        } catch (err) {
          throw new Error(`opcua-write ${node.id}: ${nodeId}: ${(err as Error).message}`);
        }
        const statusCode = await endpoint.write(nodeId, variant);
        if (!statusCode.startsWith('Good')) {
          throw new Error(`opcua-write ${node.id}: writing ${nodeId} on ${endpoint.endpointUrl} was refused: ${statusCode}`);
        }
        msg.statusCode = statusCode;
        send(msg);
      },
      close() {
        unsubscribe();
      },
    };
  },
});

async function detectType(endpoint: OpcuaEndpointApi, nodeId: string, id: string, cache: Map<string, WritableType>): Promise<WritableType> {
  const typeId = await endpoint.dataTypeOf(nodeId);
  const name = writableTypeOf(typeId);
  if (!name) {
    throw new Error(`opcua-write ${id}: ${nodeId} has data type ns=0;i=${typeId}, which cannot be converted automatically; set dataType (or msg.dataType)`);
  }
  cache.set(nodeId, name);
  return name;
}
