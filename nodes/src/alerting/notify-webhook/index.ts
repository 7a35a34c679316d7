import { request } from 'node:https';
import { Type } from '@sinclair/typebox';
import { defineNode, NodeName, NumberLike, readmeBeside, type NodeApi } from '@loopedge/runtime';
import type { Delivery } from '../notifier-shared/notifier-dispatcher.js';
import { notifierProperties, startNotifier } from '../notifier-shared/notifier-node.js';
import { notifierTls, type NotifierTlsOptions } from '../notifier-shared/notifier-tls.js';
import { DELIVERY_HEADER, SIGNATURE_HEADER, signWebhookBody } from './webhook-signature.js';

const NotifyWebhookConfig = Type.Object({
  name: NodeName,
  url: Type.String({ default: '', description: 'HTTPS address the notifications are POSTed to' }),
  timeoutSeconds: NumberLike(10, 'Give up one attempt after this many seconds (then retry with back-off)'),
  tls: Type.String({ default: '', description: 'Optional tls-config node (CA, client certificate, pinning); without one the "ca" credential is used' }),
  rejectUnauthorized: Type.Boolean({ default: true, description: 'Refuse a server certificate the CA does not vouch for (ignored when a tls-config node is selected)' }),
  ...notifierProperties,
});

const NotifyWebhookCredentials = Type.Object({
  secret: Type.Optional(Type.String({ description: 'Shared secret for the HMAC-SHA256 signature header; the receiver needs the same' })),
  ca: Type.Optional(Type.String({ description: 'CA certificate(s), PEM, the server certificate must chain to (when no tls-config node is selected)' })),
});

/** The JSON body: the notification (or summary) plus when it was sent and the delivery id, the same on every retry. */
export function webhookBody(delivery: Delivery, sentAt: Date): string {
  if (delivery.kind === 'alert') return JSON.stringify({ kind: 'alert', ...delivery.notification, deliveryId: delivery.deliveryId, sentAt: sentAt.toISOString() });
  return JSON.stringify({ kind: 'summary', summary: delivery.summary, notifications: delivery.notifications, deliveryId: delivery.deliveryId, sentAt: sentAt.toISOString() });
}

function post(url: URL, body: string, headers: Record<string, string>, tls: NotifierTlsOptions, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) }, ...tls, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        if (chunks.length < 16) chunks.push(chunk);
      });
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) return resolve();
        const text = Buffer.concat(chunks).toString('utf8').slice(0, 200).trim();
        reject(new Error(`HTTP ${status} from ${url.origin}${url.pathname}${text ? `: ${text}` : ''}`));
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url.origin} within ${timeoutMs / 1000} s`)));
    req.on('error', (error) => reject(new Error(`POST ${url.origin}${url.pathname} failed: ${error.message}`)));
    req.end(body);
  });
}

export const notifyWebhookNode = defineNode({
  type: 'notify-webhook',
  category: 'config',
  configNode: true,
  config: NotifyWebhookConfig,
  credentials: NotifyWebhookCredentials,
  inputs: 0,
  outputs: 0,
  editor: { label: 'notify webhook', icon: 'white-globe.svg', color: '#e2d96e', widgets: { tls: 'config-node:tls-config' } },
  helpFile: readmeBeside(import.meta.url),
  create(node: NodeApi, config) {
    const where = `notify-webhook ${node.id}`;
    let url: URL;
    try {
      url = new URL(config.url.trim());
    } catch {
      throw new Error(`${where}: property "url" is not a URL ("${config.url}"); give the receiver's address, e.g. https://example.com/hooks/alerts`);
    }
    if (url.protocol !== 'https:') throw new Error(`${where}: property "url" must be an https:// address (notifications carry plant data and are signed, not encrypted), not "${url.protocol}"`);
    const timeoutMs = (Number(config.timeoutSeconds) > 0 ? Number(config.timeoutSeconds) : 10) * 1000;

    return startNotifier(node, config, {
      async deliver(delivery) {
        // Checked per attempt, not at start: a flow is often deployed before its credentials are set; notifications wait meanwhile.
        const secret = node.credentials.secret;
        if (!secret) throw new Error(`the credential "secret" is empty; set the shared secret the receiver verifies signatures with`);
        const body = webhookBody(delivery, new Date());
        const timestamp = Math.floor(Date.now() / 1000);
        const headers = {
          'Content-Type': 'application/json',
          'User-Agent': 'LoopEdge-Notifier/1',
          [SIGNATURE_HEADER]: signWebhookBody(secret, body, timestamp),
          [DELIVERY_HEADER]: delivery.deliveryId,
        };
        await post(url, body, headers, notifierTls(node, config.tls, config.rejectUnauthorized), timeoutMs);
      },
    });
  },
});
