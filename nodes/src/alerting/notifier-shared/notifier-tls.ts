import type { NodeApi } from '@loopedge/runtime';
import type { TlsConfigService } from '../../network/tls-config/index.js';

/** TLS client options for a notifier's connection (spread into tls.connect, https.request or nodemailer's `tls`). */
export type NotifierTlsOptions = Omit<TlsConfigService, 'pinnedSha256'> & { minVersion: 'TLSv1.2' };

/**
 * Where a notifier's TLS trust comes from: a `tls-config` node when one is
 * selected (CA, client certificate, pinning), else the `ca` credential (PEM)
 * and the node's own `rejectUnauthorized`. Resolved at each delivery, not at
 * start, because config nodes start in document order and the tls-config
 * node may come after the notifier.
 */
export function notifierTls(node: NodeApi, tlsConfigId: string, rejectUnauthorized: boolean): NotifierTlsOptions {
  if (tlsConfigId) {
    const service = node.getConfigNode<TlsConfigService>(tlsConfigId);
    if (!service) throw new Error(`${node.type} ${node.id}: the tls-config node "${tlsConfigId}" (property "tls") is missing or failed to start; add it or clear the property`);
    const { pinnedSha256: _pins, ...options } = service;
    return { ...options, minVersion: 'TLSv1.2' };
  }
  const ca = node.credentials.ca;
  return { rejectUnauthorized, minVersion: 'TLSv1.2', ...(ca ? { ca } : {}) };
}
