import { Type } from '@sinclair/typebox';
import { defineNode, NodeName, readmeBeside } from '@loopedge/runtime';
import { buildTlsOptions, type TlsClientOptions } from './tls-options.js';

export type { TlsClientOptions } from './tls-options.js';

const Flag = (value: boolean, description: string) => Type.Union([Type.Boolean(), Type.String()], { default: value, description });

const TlsConfig = Type.Object({
  name: NodeName,
  cert: Type.String({ default: '', description: 'Path of the client certificate file (PEM); empty to use the pasted certificate' }),
  key: Type.String({ default: '', description: 'Path of the client private key file (PEM)' }),
  ca: Type.String({ default: '', description: 'Path of the CA certificate file (PEM) the server certificate must chain to' }),
  certname: Type.String({ default: '', description: 'File name of the pasted certificate (editor display only)' }),
  keyname: Type.String({ default: '', description: 'File name of the pasted key (editor display only)' }),
  caname: Type.String({ default: '', description: 'File name of the pasted CA certificate (editor display only)' }),
  servername: Type.String({ default: '', description: 'Server name for SNI and the certificate host check' }),
  verifyservercert: Flag(true, 'Refuse a server certificate that the CA does not vouch for or that names another host'),
  alpnprotocol: Type.String({ default: '', description: 'ALPN protocol to offer' }),
  pinnedsha256: Type.String({ default: '', description: 'LoopEdge extension: accepted SHA-256 fingerprints of the server certificate or its public key (hex or sha256/<base64>), comma separated' }),
});

const TlsCredentials = Type.Object({
  certdata: Type.Optional(Type.String({ description: 'Client certificate, PEM' })),
  keydata: Type.Optional(Type.String({ description: 'Client private key, PEM' })),
  cadata: Type.Optional(Type.String({ description: 'CA certificate(s), PEM' })),
  passphrase: Type.Optional(Type.String({ description: 'Passphrase of the private key' })),
});

/** The service other nodes get from `node.getConfigNode<TlsConfigService>(config.tls)`: spread it into TLS options. */
export type TlsConfigService = TlsClientOptions;

export const tlsConfigNode = defineNode({
  type: 'tls-config',
  category: 'config',
  configNode: true,
  config: TlsConfig,
  credentials: TlsCredentials,
  inputs: 0,
  outputs: 0,
  editor: { label: 'tls-config', icon: 'lock.svg', color: '#e6e0f8' },
  helpFile: readmeBeside(import.meta.url),
  create(node, config) {
    const { certdata, keydata, cadata, passphrase } = node.credentials;
    const options = buildTlsOptions({
      where: `tls-config ${node.id}`,
      certPath: config.cert.trim(),
      keyPath: config.key.trim(),
      caPath: config.ca.trim(),
      certData: certdata,
      keyData: keydata,
      caData: cadata,
      passphrase,
      servername: config.servername.trim(),
      alpnProtocol: config.alpnprotocol.trim(),
      verifyServerCert: config.verifyservercert === true || config.verifyservercert === 'true',
      pins: config.pinnedsha256,
    });
    return { api: Object.freeze(options) satisfies TlsConfigService };
  },
});
