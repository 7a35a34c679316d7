import type { FlowDocument } from '@loopedge/flows';
import { hostname, networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import type { Logger } from '@loopedge/runtime';
import type { Runtime } from '@loopedge/runtime';
import { openSecurity, type Security } from '@loopedge/security';
import { startAdminServer, urlHost, type AdminServer } from '../admin/admin-server.js';
import { openFlowStore, type FlowStore } from '../flow-store/flow-store.js';
import { StartupError } from './startup-error.js';

export interface AdminStartOptions {
  dataDir: string;
  host: string;
  port: number;
  httpRedirectPort?: number;
  runtime: Runtime;
  flowFile: string;
  logger: Logger;
  version: string;
  bcryptCost?: number;
  clock?: () => number;
  /** Where the one-time setup link is printed for the person at the terminal (stderr). */
  announce(text: string): void;
}

export interface RunningAdmin {
  security: Security;
  server: AdminServer;
  /** The first-start link, when no user exists yet. */
  setupUrl: string | undefined;
  /** Set when signed flows are required and the flow file was not the last signed version: run these instead. */
  startFlows?: FlowDocument;
  stop(): Promise<void>;
}

/** Names and addresses the device certificate must cover: what people type to reach it. */
export function certificateSubjects(host: string): { hostnames: string[]; ips: string[] } {
  const hostnames = new Set(['localhost', hostname()]);
  const ips = new Set(['127.0.0.1', '::1']);
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) ips.add(address.address.split('%')[0]!);
  }
  if (host !== '0.0.0.0' && host !== '::') (isIP(host) ? ips : hostnames).add(host);
  return { hostnames: [...hostnames], ips: [...ips] };
}

/**
 * Security, the device certificate and the HTTPS admin server. On first start
 * (no user yet) a one-time setup link valid for an hour is printed.
 */
export async function startAdmin(options: AdminStartOptions): Promise<RunningAdmin> {
  const { logger } = options;
  const security = await openSecurity({
    dataDir: options.dataDir,
    ...(options.bcryptCost !== undefined ? { bcryptCost: options.bcryptCost } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  let server: AdminServer;
  let flows: FlowStore | undefined;
  let startFlows: FlowDocument | undefined;
  try {
    // Flow versions: an interrupted deploy is settled from the flow file before anything runs.
    const opened = await openFlowStore({ runtime: options.runtime, flowFile: options.flowFile, dataDir: options.dataDir, trustedKeys: security.trustedKeys, logger, ...(options.clock ? { clock: options.clock } : {}) });
    flows = opened.store;
    startFlows = opened.startFlows;
    if (opened.refusedFile) {
      security.audit.append({ actor: 'system', action: 'flows.start', target: options.flowFile, outcome: 'failure', details: { reason: 'unsigned-flow-file', keptAs: opened.refusedFile } });
    }
    const subjects = certificateSubjects(options.host);
    await security.certificates.ensureDevice(subjects.hostnames, subjects.ips);
    server = await startAdminServer({
      host: options.host,
      port: options.port,
      ...(options.httpRedirectPort !== undefined ? { httpRedirectPort: options.httpRedirectPort } : {}),
      runtime: options.runtime,
      security,
      flows,
      logger,
      version: options.version,
      dataDir: options.dataDir,
    });
  } catch (error) {
    flows?.close();
    security.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new StartupError('admin-listen-failed', `The admin API cannot listen on ${options.host}:${options.port} (${code}): pass --port with a free port or --host with an address of this machine.`, [], { cause: error });
    }
    throw error;
  }

  let setupUrl: string | undefined;
  if (security.setup.needsSetup()) {
    const { token, expiresAt } = security.setup.createSetupToken();
    setupUrl = `https://${urlHost(options.host)}:${server.port}/setup?token=${encodeURIComponent(token)}`;
    options.announce(
      `\nNo user exists yet. Create the first administrator within 1 hour (until ${new Date(expiresAt).toISOString()}) at:\n\n  ${setupUrl}\n\n` +
        `or run: loopedge users add --username NAME --role admin --data ${options.dataDir}\n` +
        `The browser will warn about the device certificate until you trust the device CA (${server.url}/api/certificates/ca).\n\n`,
    );
  }

  return {
    security,
    server,
    setupUrl,
    ...(startFlows ? { startFlows } : {}),
    async stop() {
      await server.close();
      flows?.close();
      security.close();
    },
  };
}
