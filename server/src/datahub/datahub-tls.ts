import { createServer, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { Aedes } from 'aedes';
import type { Logger } from '@loopedge/runtime';
import type { Security } from '@loopedge/security';
import { secureContextOptions } from '../admin/tls-options.js';

export interface TlsListener {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * MQTT over TLS (mqtts) with the device certificate, TLS 1.2/1.3 and the admin
 * server's cipher policy. Clients trust the device CA (GET
 * /api/certificates/ca). When an admin activates another certificate, new
 * connections get it at once, as on the admin server.
 */
export async function listenTls(broker: Aedes, host: string, port: number, certificates: Pick<Security['certificates'], 'active' | 'onChange'>, logger: Logger): Promise<TlsListener> {
  const sockets = new Set<TLSSocket>();
  const server = createServer(secureContextOptions(certificates.active()), (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  server.on('tlsClientError', (error) => logger.debug({ err: error }, 'DataHub TLS handshake refused'));
  const stopWatching = certificates.onChange(() => {
    try {
      server.setSecureContext(secureContextOptions(certificates.active()));
    } catch (error) {
      logger.error({ err: error }, 'DataHub could not switch its TLS certificate; the previous one stays in use');
    }
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
  } catch (error) {
    stopWatching();
    throw new Error(`DataHub TLS listener could not listen on ${host}:${port}: ${(error as Error).message}. Pick another "datahub.tlsPort" in settings.json (0 = any free port)`);
  }
  const bound = (server.address() as AddressInfo).port;
  logger.info({ host, port: bound }, 'DataHub TLS listener (mqtts) up');
  return {
    port: bound,
    async close() {
      stopWatching();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
