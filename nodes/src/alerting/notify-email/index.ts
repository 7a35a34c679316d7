import { Type } from '@sinclair/typebox';
import { defineNode, NodeName, NumberLike, readmeBeside, type NodeApi } from '@loopedge/runtime';
import type { Delivery } from '../notifier-shared/notifier-dispatcher.js';
import { notifierProperties, startNotifier } from '../notifier-shared/notifier-node.js';
import { notifierTls } from '../notifier-shared/notifier-tls.js';
import { checkTemplate, defaultBody, renderTemplate } from '../notifier-shared/notification-text.js';

const NotifyEmailConfig = Type.Object({
  name: NodeName,
  host: Type.String({ default: '', description: 'SMTP server host name or address' }),
  port: NumberLike(587, 'SMTP port: 587 (submission with STARTTLS) or 465 (implicit TLS)'),
  secure: Type.Boolean({ default: false, description: 'Implicit TLS from the first byte (port 465); off = plain connection upgraded with STARTTLS' }),
  requireStartTls: Type.Boolean({ default: true, description: 'Without implicit TLS: refuse to send unless the server upgrades the connection with STARTTLS' }),
  tls: Type.String({ default: '', description: 'Optional tls-config node (CA, client certificate, pinning); without one the "ca" credential is used' }),
  rejectUnauthorized: Type.Boolean({ default: true, description: 'Refuse a server certificate the CA does not vouch for (ignored when a tls-config node is selected)' }),
  from: Type.String({ default: '', description: 'Sender address, e.g. "LoopEdge <edge@example.com>"' }),
  to: Type.Union([Type.Array(Type.String()), Type.String()], { default: '', description: 'Recipients: a list, or addresses separated by commas' }),
  subject: Type.String({ default: '[{{SEVERITY}}] {{title}} ({{transition}})', description: 'Subject template: {{title}}, {{severity}}, {{SEVERITY}}, {{transition}}, {{state}}, {{key}}, {{value}}, {{sourceName}}' }),
  body: Type.String({ default: '', description: 'Body template (plain text), same fields as the subject; empty for the standard body listing every field' }),
  timeoutSeconds: NumberLike(30, 'Give up one attempt after this many seconds without an answer (then retry with back-off)'),
  ...notifierProperties,
});

const NotifyEmailCredentials = Type.Object({
  user: Type.Optional(Type.String({ description: 'SMTP user name' })),
  password: Type.Optional(Type.String({ description: 'SMTP password' })),
  ca: Type.Optional(Type.String({ description: 'CA certificate(s), PEM, the server certificate must chain to (when no tls-config node is selected)' })),
});

function recipients(to: string | string[]): string[] {
  return (Array.isArray(to) ? to : to.split(','))
    .map((address) => address.trim())
    .filter(Boolean);
}

interface MailContent {
  subject: string;
  text: string;
}

function contentOf(delivery: Delivery, subject: string, body: string): MailContent {
  if (delivery.kind === 'alert') {
    const n = delivery.notification;
    return { subject: renderTemplate(subject, n), text: body ? renderTemplate(body, n) : defaultBody(n) };
  }
  const lines = delivery.notifications.map((n) => `${n.at}  ${n.severity.padEnd(8)} ${n.transition.padEnd(12)} ${n.key}: ${n.title}`);
  return { subject: `[LoopEdge] ${delivery.summary.title}`, text: `${delivery.summary.text}\n\n${lines.join('\n')}\n` };
}

export const notifyEmailNode = defineNode({
  type: 'notify-email',
  category: 'config',
  configNode: true,
  config: NotifyEmailConfig,
  credentials: NotifyEmailCredentials,
  inputs: 0,
  outputs: 0,
  editor: { label: 'notify email', icon: 'envelope.svg', color: '#e2d96e', widgets: { tls: 'config-node:tls-config', to: 'string-list', subject: 'code-mustache', body: 'code-mustache' } },
  helpFile: readmeBeside(import.meta.url),
  create(node: NodeApi, config) {
    const where = `notify-email ${node.id}`;
    const host = config.host.trim();
    if (!host) throw new Error(`${where}: the SMTP server (property "host") is empty; set the mail server's host name`);
    const port = Number(config.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${where}: property "port" must be a port number (1-65535), not "${config.port}"`);
    if (!config.from.trim()) throw new Error(`${where}: the sender (property "from") is empty; set an address the SMTP server accepts as sender`);
    const to = recipients(config.to);
    if (to.length === 0) throw new Error(`${where}: no recipients (property "to"); give at least one address`);
    checkTemplate(where, 'subject', config.subject);
    checkTemplate(where, 'body', config.body);
    const timeoutMs = (Number(config.timeoutSeconds) > 0 ? Number(config.timeoutSeconds) : 30) * 1000;
    const { user, password } = node.credentials;

    return startNotifier(node, config, {
      async deliver(delivery) {
        // nodemailer loads on the first mail (then from the module cache): a
        // LoopEdge that sends no mail does not carry it in memory.
        const { createTransport } = await import('nodemailer');
        const transport = createTransport({
          host,
          port,
          secure: config.secure,
          // STARTTLS or nothing: nodemailer would otherwise send in clear text to a server that does not offer it.
          requireTLS: !config.secure && config.requireStartTls,
          tls: notifierTls(node, config.tls, config.rejectUnauthorized),
          ...(user ? { auth: { user, pass: password ?? '' } } : {}),
          connectionTimeout: timeoutMs,
          greetingTimeout: timeoutMs,
          socketTimeout: timeoutMs,
        });
        try {
          const content = contentOf(delivery, config.subject, config.body);
          await transport.sendMail({ from: config.from, to, subject: content.subject, text: content.text, headers: { 'X-LoopEdge-Delivery': delivery.deliveryId } });
        } catch (error) {
          throw new Error(`SMTP ${host}:${port}: ${(error as Error).message}`);
        } finally {
          transport.close();
        }
      },
    });
  },
});
