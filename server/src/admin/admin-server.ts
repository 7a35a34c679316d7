import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@loopedge/runtime';
import type { Runtime } from '@loopedge/runtime';
import type { Security } from '@loopedge/security';
import { routeTable } from '../api/routes/index.js';
import type { AnyRoute } from '../api/route-types.js';
import type { FlowStore } from '../flow-store/flow-store.js';
import { startLiveEvents, type LiveEvents } from '../live/live-events.js';
import { ServerMetrics } from '../metrics/server-metrics.js';
import { createAdminApp } from './admin-app.js';
import { UpdateJobs } from '../updates/update-jobs.js';
import { secureContextOptions } from './tls-options.js';

export interface AdminServerOptions {
  host: string;
  port: number;
  /** A plain HTTP port that only redirects to HTTPS. */
  httpRedirectPort?: number;
  runtime: Runtime;
  security: Security;
  flows: FlowStore;
  logger: Logger;
  version: string;
  /** data folder: releases, the device update key, incoming uploads */
  dataDir: string;
}

export interface AdminServer {
  /** https://host:port with the port actually bound (port 0 picks one). */
  readonly url: string;
  readonly port: number;
  readonly redirectPort: number | undefined;
  readonly routes: readonly AnyRoute[];
  readonly live: LiveEvents;
  readonly updates: UpdateJobs;
  close(): Promise<void>;
}

/** `host` as it goes into a URL: IPv6 in brackets, a wildcard as localhost. */
export function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * The HTTPS admin server: express app, socket.io and (optionally) the HTTP
 * redirect port. The certificate comes from the security package; when an
 * admin activates another one, new connections get it at once.
 */
export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const { logger, security } = options;
  const routes = routeTable();
  let live: LiveEvents | undefined;
  const updates = new UpdateJobs({ dataDir: options.dataDir, audit: security.audit, trustedKeys: security.trustedKeys, logger, onChange: (job) => live?.publish('update-progress', job) });
  // Recovery step on start: an apply cut short (power loss, kill) is rolled back or finished before anything else.
  const recovered = await updates.recover();
  if (recovered.action !== 'none') logger.warn({ recovered }, 'An interrupted update was recovered');
  const services = { runtime: options.runtime, security, flows: options.flows, metrics: new ServerMetrics(options.runtime), logger, version: options.version, updates };
  const app = createAdminApp(routes, services);

  const server = createHttpsServer(secureContextOptions(security.certificates.active()), app);
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  const stopWatching = security.certificates.onChange(() => {
    try {
      server.setSecureContext(secureContextOptions(security.certificates.active()));
      logger.info({ certificate: security.certificates.active().id }, 'HTTPS certificate switched');
    } catch (error) {
      logger.error({ err: error }, 'Could not switch the HTTPS certificate; the previous one stays in use');
    }
  });
  // A client that fails the handshake (old TLS, weak cipher) is its problem, not a server error.
  server.on('tlsClientError', (error) => logger.debug({ err: error }, 'TLS handshake refused'));
  live = startLiveEvents({ server, runtime: options.runtime, security, logger });
  const liveEvents = live;

  try {
    await listen(server, options.port, options.host);
  } catch (error) {
    stopWatching();
    await liveEvents.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const url = `https://${urlHost(options.host)}:${port}`;

  let redirect: HttpServer | undefined;
  if (options.httpRedirectPort !== undefined) {
    redirect = createRedirectServer(options.host, port);
    try {
      await listen(redirect, options.httpRedirectPort, options.host);
    } catch (error) {
      stopWatching();
      await liveEvents.close();
      await closeServer(server);
      throw error;
    }
  }
  const redirectPort = redirect ? (redirect.address() as AddressInfo).port : undefined;
  logger.info({ url, redirectPort }, 'Admin API listening');

  return {
    url,
    port,
    redirectPort,
    routes,
    live: liveEvents,
    updates,
    async close() {
      stopWatching();
      await updates.close();
      await liveEvents.close();
      await Promise.all([closeServer(server), redirect ? closeServer(redirect) : Promise.resolve()]);
    },
  };
}

/**
 * Plain HTTP only answers with a redirect to the same path over HTTPS. The
 * Host header names the host (a client asking for a name gets that name back),
 * the port is always the HTTPS one; a Host that is not a plain name or address
 * falls back to the configured host.
 */
function createRedirectServer(host: string, httpsPort: number): HttpServer {
  return createHttpServer((req, res) => {
    const requested = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:\d+)?$/.exec(req.headers.host ?? '');
    const name = requested ? requested[1]! : urlHost(host);
    const path = (req.url ?? '/').startsWith('/') ? (req.url ?? '/') : '/';
    res.writeHead(308, { Location: `https://${name}:${httpsPort}${path}`, 'Content-Length': '0', Connection: 'close' });
    res.end();
  });
}

function listen(server: HttpServer | HttpsServer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function closeServer(server: HttpServer | HttpsServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Keep-alive connections would hold close() open for minutes.
    server.closeAllConnections();
  });
}
