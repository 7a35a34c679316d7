// The far ends of the notification benchmark, in the bench process (so their
// arrival times share the clock of the message that raised the alert): an
// HTTPS webhook receiver that verifies the HMAC signature as the notify-webhook
// README tells receivers to, and an SMTP server (smtp-server) that requires
// STARTTLS and a login before it takes a mail.
import { execFileSync } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

export interface TlsPair {
  certPem: string;
  keyPem: string;
}

/** A self-signed certificate for 127.0.0.1 (openssl CLI), trusted by the notifiers through their "ca" credential. */
export function localCertificate(dir: string): TlsPair {
  const key = join(dir, 'receiver-key.pem');
  const cert = join(dir, 'receiver-cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  return { certPem: readFileSync(cert, 'utf8'), keyPem: readFileSync(key, 'utf8') };
}

/** Things that arrived, with a wait for the first one matching a test. */
export class ArrivalLog<T> {
  readonly entries: T[] = [];
  #waiters: Array<{ match: (entry: T) => boolean; resolve: (entry: T) => void }> = [];

  add(entry: T): void {
    this.entries.push(entry);
    const ready = this.#waiters.filter((w) => w.match(entry));
    this.#waiters = this.#waiters.filter((w) => !w.match(entry));
    for (const waiter of ready) waiter.resolve(entry);
  }

  waitFor(match: (entry: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
    const found = this.entries.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (entry: T) => {
          clearTimeout(timer);
          resolve(entry);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error(`${what} did not arrive within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }
}

export interface WebhookArrival {
  /** performance.now() when the whole request body was in. */
  at: number;
  path: string;
  body: { kind: 'alert'; key: string } | { kind: 'summary'; summary: { count: number } };
  signatureValid: boolean;
}

export interface MailArrival {
  at: number;
  /** True when the mail came over a connection upgraded with STARTTLS. */
  secure: boolean;
  to: string[];
  subject: string;
}

export interface Receiver<T> {
  readonly log: ArrivalLog<T>;
  /** performance.now() of each TCP connection accepted, in order. */
  readonly connections: number[];
  /** https://… for the webhook, the port for SMTP. */
  readonly address: string;
  stop(): Promise<void>;
}

/** Recompute "t.body"'s HMAC with the shared secret and compare in constant time; refuse a stale timestamp. */
function signatureValid(header: string | string[] | undefined, raw: string, secret: string): boolean {
  const parts = new Map(String(header ?? '').split(',').map((part) => part.trim().split('=', 2) as [string, string]));
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1') ?? '';
  if (!Number.isInteger(t) || !/^[0-9a-f]{64}$/.test(v1) || Math.abs(Date.now() / 1000 - t) > 300) return false;
  return timingSafeEqual(createHmac('sha256', secret).update(`${t}.${raw}`).digest(), Buffer.from(v1, 'hex'));
}

export async function startWebhookReceiver(tls: TlsPair, secret: string): Promise<Receiver<WebhookArrival>> {
  const log = new ArrivalLog<WebhookArrival>();
  const server = createHttpsServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const at = performance.now();
      const raw = Buffer.concat(chunks).toString('utf8');
      log.add({ at, path: req.url ?? '', body: JSON.parse(raw) as WebhookArrival['body'], signatureValid: signatureValid(req.headers['x-loopedge-signature'], raw, secret) });
      res.writeHead(204).end();
    });
  });
  const connections: number[] = [];
  server.on('connection', () => connections.push(performance.now()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    log,
    connections,
    address: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export async function startSmtpReceiver(tls: TlsPair, user: string, password: string): Promise<Receiver<MailArrival>> {
  const log = new ArrivalLog<MailArrival>();
  const server = new SMTPServer({
    key: tls.keyPem,
    cert: tls.certPem,
    logger: false,
    // A reverse DNS lookup of 127.0.0.1 per connection would be this test server's delay, not LoopEdge's.
    disableReverseLookup: true,
    // Plain connection, STARTTLS offered; smtp-server refuses AUTH before the upgrade.
    secure: false,
    onAuth: (auth, _session, callback) => (auth.username === user && auth.password === password ? callback(null, { user }) : callback(new Error('Invalid login'))),
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const at = performance.now();
        const raw = Buffer.concat(chunks).toString('utf8');
        const headers = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
        const subject = /^Subject: (.*)$/im.exec(headers.replace(/\r/g, ''))?.[1] ?? '';
        log.add({ at, secure: session.secure, to: session.envelope.rcptTo.map((r) => r.address), subject });
        callback();
      });
    },
  });
  // smtp-server holds its greeting 100 ms after each connection (a fixed "early talker" check it
  // has no option for): the connection times let the report show LoopEdge's share apart from it.
  const connections: number[] = [];
  server.server.on('connection', () => connections.push(performance.now()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    log,
    connections,
    address: String((server.server.address() as AddressInfo).port),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
