import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { OPCUAServer } from 'node-opcua-server';
import { OPCUACertificateManager } from 'node-opcua-certificate-manager';
import { DataType, MessageSecurityMode, SecurityPolicy, Variant } from 'node-opcua-client';

export const TEMPERATURE_NODE_ID = 'ns=1;s=Oven1.Temperature';

/** A PLC simulated by a real node-opcua server on 127.0.0.1: one oven temperature (Double, °C) the test sets. */
export interface TemperaturePlc {
  endpointUrl: string;
  /** SHA-256 thumbprint of the server certificate, for the opcua-endpoint's trust list. */
  thumbprint: string;
  setTemperature(celsius: number): void;
  stop(): Promise<void>;
}

/** The leaf of a DER chain (node-opcua may hand out the certificate followed by its issuers). */
function leafCertificate(chain: Buffer): Buffer {
  const first = chain[1] ?? 0;
  if (first < 0x80) return chain.subarray(0, 2 + first);
  const lengthBytes = first & 0x7f;
  let length = 0;
  for (let i = 0; i < lengthBytes; i++) length = length * 256 + (chain[2 + i] ?? 0);
  return chain.subarray(0, Math.min(chain.length, 2 + lengthBytes + length));
}

export async function startTemperaturePlc(pkiDir: string, initialCelsius: number): Promise<TemperaturePlc> {
  const server = new OPCUAServer({
    host: '127.0.0.1',
    hostname: '127.0.0.1',
    port: 0,
    securityModes: [MessageSecurityMode.None],
    securityPolicies: [SecurityPolicy.None],
    allowAnonymous: true,
    serverCertificateManager: new OPCUACertificateManager({ rootFolder: join(pkiDir, 'server'), automaticallyAcceptUnknownCertificate: true }),
  });
  await server.initialize();
  const addressSpace = server.engine.addressSpace;
  if (!addressSpace) throw new Error('temperature PLC: no address space');
  const namespace = addressSpace.getOwnNamespace();
  const oven = namespace.addObject({ organizedBy: addressSpace.rootFolder.objects, browseName: 'Oven1' });
  const temperature = namespace.addVariable({ componentOf: oven, browseName: 'Temperature', nodeId: TEMPERATURE_NODE_ID, dataType: 'Double', minimumSamplingInterval: 50 });
  const set = (celsius: number): void => temperature.setValueFromSource(new Variant({ dataType: DataType.Double, value: celsius }));
  set(initialCelsius);
  await server.start();
  return {
    endpointUrl: server.getEndpointUrl(),
    thumbprint: createHash('sha256').update(leafCertificate(server.getCertificate())).digest('hex'),
    setTemperature: set,
    stop: () => server.shutdown(0),
  };
}
