import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OPCUAServer } from 'node-opcua-server';
import { OPCUACertificateManager } from 'node-opcua-certificate-manager';
import { DataType, MessageSecurityMode, SecurityPolicy, StatusCodes, Variant } from 'node-opcua-client';
import { thumbprintsOf, type CertificateThumbprints } from './trust.js';

/** Test only: a small PLC simulated by a real node-opcua server on 127.0.0.1. */
export interface TestPlc {
  endpointUrl: string;
  port: number;
  thumbprints: CertificateThumbprints;
  /** The value last written to ns=1;s=Setpoint. */
  setpoint(): number;
  /** User names of every login attempt, to prove credentials were (not) sent. */
  loginAttempts: string[];
  /**
   * Stops every subscription's publishing timer on the server, so clients get
   * neither data nor keep-alives while the session stays up. Returns how many.
   */
  silenceSubscriptions(): number;
  stop(): Promise<void>;
}

export interface TestPlcOptions {
  /** Folder of the server's certificate; the same folder gives the same certificate after a restart. */
  pkiDir: string;
  port?: number;
  users?: Record<string, string>;
}

export const PLC_NODES = { counter: 'ns=1;s=Counter', sine: 'ns=1;s=Sine', setpoint: 'ns=1;s=Setpoint' } as const;

/**
 * Counter (Int32, +1 every 100 ms), Sine (Double) and a writeable Setpoint
 * (Double); endpoints None/None and SignAndEncrypt/Basic256Sha256.
 */
export async function startTestPlc(options: TestPlcOptions): Promise<TestPlc> {
  const users = options.users ?? {};
  const loginAttempts: string[] = [];
  const server = new OPCUAServer({
    host: '127.0.0.1',
    hostname: '127.0.0.1',
    port: options.port ?? 0,
    securityModes: [MessageSecurityMode.None, MessageSecurityMode.SignAndEncrypt],
    securityPolicies: [SecurityPolicy.None, SecurityPolicy.Basic256Sha256],
    allowAnonymous: true,
    serverCertificateManager: new OPCUACertificateManager({ rootFolder: join(options.pkiDir, 'server'), automaticallyAcceptUnknownCertificate: true }),
    userManager: { isValidUser: (user: string, password: string) => {
        loginAttempts.push(user);
        return users[user] !== undefined && users[user] === password;
      },
    },
  });
  await server.initialize();
  const addressSpace = server.engine.addressSpace;
  if (!addressSpace) throw new Error('test PLC: no address space');
  const namespace = addressSpace.getOwnNamespace();
  const plc = namespace.addObject({ organizedBy: addressSpace.rootFolder.objects, browseName: 'PLC' });
  let counter = 0;
  let setpoint = 0;
  const counterVar = namespace.addVariable({ componentOf: plc, browseName: 'Counter', nodeId: PLC_NODES.counter, dataType: 'Int32', minimumSamplingInterval: 50 });
  const sineVar = namespace.addVariable({ componentOf: plc, browseName: 'Sine', nodeId: PLC_NODES.sine, dataType: 'Double', minimumSamplingInterval: 50 });
  namespace.addVariable({
    componentOf: plc,
    browseName: 'Setpoint',
    nodeId: PLC_NODES.setpoint,
    dataType: 'Double',
    minimumSamplingInterval: 50,
    value: {
      get: () => new Variant({ dataType: DataType.Double, value: setpoint }),
      set: (variant: Variant) => {
        setpoint = Number(variant.value);
        return StatusCodes.Good;
      },
    },
  });
  const tick = (): void => {
    counter += 1;
    counterVar.setValueFromSource(new Variant({ dataType: DataType.Int32, value: counter }));
    sineVar.setValueFromSource(new Variant({ dataType: DataType.Double, value: Math.sin(counter / 10) }));
  };
  tick();
  const timer = setInterval(tick, 100);
  timer.unref();
  await server.start();
  const endpointUrl = server.getEndpointUrl();
  const port = Number(new URL(endpointUrl.replace(/^opc\.tcp/, 'http')).port);
  return {
    endpointUrl,
    port,
    thumbprints: thumbprintsOf(server.getCertificate()),
    setpoint: () => setpoint,
    loginAttempts,
    silenceSubscriptions() {
      let count = 0;
      for (const session of server.engine.getSessions()) {
        for (const subscription of session.publishEngine.subscriptions) {
          // No public API makes a subscription fall silent; its timer is the private part that publishes.
          (subscription as unknown as { _stop_timer(): void })._stop_timer();
          count += 1;
        }
      }
      return count;
    },
    async stop() {
      clearInterval(timer);
      await server.shutdown(0);
    },
  };
}

/** A temporary folder removed by the returned cleanup. */
export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Polls until the check passes (no fixed sleeps in tests). */
export async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
