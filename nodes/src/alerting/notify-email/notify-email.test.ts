import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import type { TestFlow } from '@loopedge/runtime';
import { notifyEmailNode } from './index.js';
import { eventually, makeCertificate, notification, notifierService, startNotifierFlow, type TestCertificate } from '../notifier-shared/test-kit.js';

interface ReceivedMail {
  from: string;
  to: string[];
  secure: boolean;
  user: string | undefined;
  headers: string;
  body: string;
}

let certificate: TestCertificate;
before(() => {
  certificate = makeCertificate();
});

/** Headers unfolded and the body decoded from quoted-printable, so assertions read plain text. */
function parseMail(raw: string): { headers: string; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const headers = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ').replace(/\r\n/g, '\n');
  const body = raw
    .slice(split + 4)
    .replace(/=\r\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return { headers, body };
}

/** A real SMTP server (smtp-server) on 127.0.0.1 port 0: STARTTLS with the test certificate, login required. */
async function startSmtp(options: Partial<SMTPServerOptions> = {}): Promise<{ server: SMTPServer; port: number; mails: ReceivedMail[] }> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    key: certificate.keyPem,
    cert: certificate.certPem,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'edge' && auth.password === 'mail-secret') return callback(null, { user: 'edge' });
      callback(new Error('Invalid username or password'));
    },
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const { headers, body } = parseMail(Buffer.concat(chunks).toString('utf8'));
        mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), secure: session.secure, user: session.user as string | undefined, headers, body });
        callback();
      });
    },
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, port: (server.server.address() as AddressInfo).port, mails };
}

function stopSmtp(server: SMTPServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

function emailNode(port: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: 'mail', type: 'notify-email', host: '127.0.0.1', port: String(port), from: 'LoopEdge <edge@plant.example>', to: 'ops@plant.example, shift@plant.example', retryInitialSeconds: '0.05', retryMaxSeconds: '0.2', ...extra };
}

const credentials = (): Record<string, Record<string, string>> => ({ mail: { user: 'edge', password: 'mail-secret', ca: certificate.certPem } });

describe('notify-email against smtp-server', () => {
  test('sends the alert over STARTTLS with login: subject from the template, every field in the body', async () => {
    const smtp = await startSmtp();
    let flow: TestFlow | undefined;
    try {
      flow = await startNotifierFlow(emailNode(smtp.port), { types: [notifyEmailNode], credentials: credentials() });
      const n = notification({ key: 'press-7/temperature', title: 'Press 7 over temperature', value: 91.5 });
      flow.receive('p', { payload: n });
      await eventually(() => smtp.mails.length === 1, 'the mail at the SMTP server');
      const mail = smtp.mails[0]!;
      assert.equal(mail.secure, true, 'the session was upgraded with STARTTLS before the mail');
      assert.equal(mail.user, 'edge');
      assert.equal(mail.from, 'edge@plant.example');
      assert.deepEqual(mail.to, ['ops@plant.example', 'shift@plant.example']);
      assert.match(mail.headers, /^Subject: \[CRITICAL\] Press 7 over temperature \(raised\)$/m);
      assert.match(mail.headers, /^X-LoopEdge-Delivery: [0-9a-f-]{36}$/im);
      assert.match(mail.body, /Temperature 91\.5 degC is above the limit of 80 degC/);
      assert.match(mail.body, /Key: +press-7\/temperature/);
      assert.match(mail.body, /Value: +91\.5/);
      await eventually(() => notifierService(flow!, 'mail').counters.delivered === 1, 'the delivery counted');
    } finally {
      await flow?.stop();
      await stopSmtp(smtp.server);
    }
  });

  test('a server that refuses is retried with back-off until it accepts; the mail arrives once', async () => {
    let refusals = 2;
    const smtp = await startSmtp({
      onRcptTo(_address, _session, callback) {
        if (refusals-- > 0) return callback(Object.assign(new Error('Mailbox temporarily unavailable'), { responseCode: 451 }));
        callback();
      },
    });
    let flow: TestFlow | undefined;
    try {
      flow = await startNotifierFlow(emailNode(smtp.port, { to: ['ops@plant.example'], subject: '{{title}} / {{state}}' }), { types: [notifyEmailNode], credentials: credentials() });
      flow.receive('p', { payload: notification({ title: 'Oven door open', transition: 'cleared', state: 'cleared' }) });
      await eventually(() => smtp.mails.length === 1, 'the mail after two refusals');
      assert.match(smtp.mails[0]!.headers, /^Subject: Oven door open \/ cleared$/m);
      const service = notifierService(flow, 'mail');
      await eventually(() => service.counters.delivered === 1, 'the delivery counted');
      assert.equal(service.counters.failed, 2);
      assert.match(flow.warnings.find((w) => w.nodeId === 'mail' && w.message.includes('delivery failed'))?.message ?? '', /SMTP 127\.0\.0\.1:\d+: .*Mailbox temporarily unavailable/);
      await flow.settle(100);
      assert.equal(smtp.mails.length, 1);
    } finally {
      await flow?.stop();
      await stopSmtp(smtp.server);
    }
  });

  test('refuses to send in clear text to a server without STARTTLS, and keeps the notification queued', async () => {
    const smtp = await startSmtp({ disabledCommands: ['STARTTLS'], allowInsecureAuth: true });
    let flow: TestFlow | undefined;
    try {
      flow = await startNotifierFlow(emailNode(smtp.port, { retryInitialSeconds: '60', retryMaxSeconds: '60' }), { types: [notifyEmailNode], credentials: credentials() });
      flow.receive('p', { payload: notification() });
      await eventually(() => notifierService(flow!, 'mail').counters.failed === 1, 'the refused attempt');
      assert.equal(smtp.mails.length, 0);
      assert.equal(notifierService(flow, 'mail').queued, 1);
      assert.match(flow.statuses('mail').at(-1)?.text ?? '', /^1 queued, retry in \d+ s: SMTP 127\.0\.0\.1:\d+: .*STARTTLS/);
    } finally {
      await flow?.stop();
      await stopSmtp(smtp.server);
    }
  });

  test('a certificate the CA does not vouch for is refused', async () => {
    const smtp = await startSmtp();
    let flow: TestFlow | undefined;
    try {
      const other = makeCertificate();
      flow = await startNotifierFlow(emailNode(smtp.port, { retryInitialSeconds: '60', retryMaxSeconds: '60' }), { types: [notifyEmailNode], credentials: { mail: { user: 'edge', password: 'mail-secret', ca: other.certPem } } });
      flow.receive('p', { payload: notification() });
      await eventually(() => notifierService(flow!, 'mail').counters.failed === 1, 'the refused attempt');
      assert.equal(smtp.mails.length, 0);
      assert.match(notifierService(flow, 'mail').lastError ?? '', /certificate|self.signed/i);
    } finally {
      await flow?.stop();
      await stopSmtp(smtp.server);
    }
  });

  test('a missing server or recipient list fails the deploy, naming the property', async () => {
    await assert.rejects(startNotifierFlow(emailNode(25, { host: '' }), { types: [notifyEmailNode] }), /notify-email mail: the SMTP server \(property "host"\) is empty/);
    await assert.rejects(startNotifierFlow(emailNode(25, { to: ' , ' }), { types: [notifyEmailNode] }), /notify-email mail: no recipients \(property "to"\)/);
    await assert.rejects(startNotifierFlow(emailNode(25, { subject: '{{#title}' }), { types: [notifyEmailNode] }), /property "subject" is not a valid template/);
  });
});
