import { homedir } from 'node:os';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { defineNode, NodeName, readmeBeside } from '@loopedge/runtime';
import type { ConnectionSettings } from '../opcua-shared/connection.js';
import type { OpcuaEndpointApi } from '../opcua-shared/endpoint-api.js';

const literalUnion = <T extends string>(values: readonly T[], defaultValue: T, description: string) =>
  Type.Union(values.map((v) => Type.Literal(v)), { default: defaultValue, description });

/** Back-off between reconnect attempts: doubles from the first to the last. */
const RECONNECT = { initialDelayMs: 500, maxDelayMs: 30_000 };

/**
 * `opcua-endpoint`: one OPC UA server connection (security, login, trusted
 * server certificates) shared by opcua-in, opcua-read and opcua-write nodes.
 */
export const opcuaEndpointNode = defineNode({
  type: 'opcua-endpoint',
  category: 'config',
  configNode: true,
  config: Type.Object({
    name: NodeName,
    endpointUrl: Type.String({ default: 'opc.tcp://localhost:4840', pattern: '^opc\\.tcp://', description: 'Server endpoint, opc.tcp://host:port[/path]' }),
    securityPolicy: literalUnion(['None', 'Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss'] as const, 'None', 'Security policy of the endpoint'),
    securityMode: literalUnion(['None', 'Sign', 'SignAndEncrypt'] as const, 'None', 'Message security mode of the endpoint'),
    authentication: literalUnion(['anonymous', 'username'] as const, 'anonymous', 'anonymous, or the user and password in the credentials'),
    trustedServerCertificates: Type.Array(Type.String(), {
      default: [],
      description: 'SHA-256 or SHA-1 thumbprints (hex) of the server certificates an admin trusts; no other server is accepted',
    }),
  }),
  credentials: Type.Object({ user: Type.Optional(Type.String()), password: Type.Optional(Type.String()) }),
  inputs: 0,
  outputs: 0,
  editor: { label: 'opcua-endpoint', icon: 'bridge.svg', color: '#3FADB5', widgets: { trustedServerCertificates: 'string-list' } },
  helpFile: readmeBeside(import.meta.url),
  async create(node, config) {
    if ((config.securityMode === 'None') !== (config.securityPolicy === 'None')) {
      throw new Error(
        `opcua-endpoint ${node.id}: securityMode ${config.securityMode} needs ${config.securityMode === 'None' ? 'securityPolicy None' : 'a securityPolicy other than None'} (got ${config.securityPolicy})`,
      );
    }
    const user = node.credentials.user ?? '';
    if (config.authentication === 'username' && user === '') {
      throw new Error(`opcua-endpoint ${node.id}: authentication is "username" but the credentials hold no user; enter the user and password`);
    }
    const pkiSetting = node.settings.opcuaPkiDir;
    const settings: ConnectionSettings = {
      endpointUrl: config.endpointUrl,
      securityMode: config.securityMode,
      securityPolicy: config.securityPolicy,
      ...(config.authentication === 'username' ? { user: { userName: user, password: node.credentials.password ?? '' } } : {}),
      trustedServerCertificates: config.trustedServerCertificates,
      // The client certificate must outlive restarts: servers trust it by thumbprint too.
      pkiDir: typeof pkiSetting === 'string' && pkiSetting !== '' ? pkiSetting : join(homedir(), '.loopedge', 'opcua-pki'),
      reconnect: RECONNECT,
    };
    const prefix = `opcua-endpoint ${node.id}`;
    // Loaded here, not at the top: only flows with OPC UA nodes pay for the stack.
    const { OpcuaConnection } = await import('../opcua-shared/connection.js');
    const connection = new OpcuaConnection(settings, {
      error: (message) => node.error(`${prefix}: ${message}`),
      warn: (message) => node.warn(`${prefix}: ${message}`),
      log: (message) => node.log(`${prefix}: ${message}`),
    });
    connection.start();
    const api: OpcuaEndpointApi = {
      endpointUrl: config.endpointUrl,
      get state() {
        return connection.state;
      },
      onState: (listener) => connection.onState(listener),
      read: (nodeIds) => connection.read(nodeIds),
      write: (nodeId, value) => connection.write(nodeId, value),
      dataTypeOf: (nodeId) => connection.dataTypeOf(nodeId),
      browse: (nodeId) => connection.browse(nodeId),
      monitor: (request, listener) => connection.monitor(request, listener),
    };
    return { api, close: () => connection.close() };
  },
});
