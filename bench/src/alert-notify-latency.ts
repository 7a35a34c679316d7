/**
 * Notification latency, in a real LoopEdge server (admin API on, credentials
 * in its encrypted store, alert node → SQLite alert store → notifier queues):
 * 1. latency: one alert at a time (distinct keys, maxPerMinute raised so the
 *    storm limiter holds nothing), from the message that raises it entering
 *    the flow to the signed webhook POST arriving at an HTTPS receiver and to
 *    the mail arriving at an SMTP server over STARTTLS (both in this process,
 *    same clock): p50 / p99;
 * 2. storm: 1,000 alerts within one second through notifiers with the default
 *    maxPerMinute (10): what each channel sent in that minute, that ONE
 *    summary arrived, how many notifications it covers, and that the rest are
 *    held in the queue (none lost). Node-RED has no alert node in core: n/a.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, type Runtime } from '@loopedge/runtime';
import { startServer, type RunningServer } from '@loopedge/server';
import { runIfMain, isQuickMode, type Benchmark, type BenchmarkOutcome } from './benchmark.js';
import { formatNumber, formatTable, median } from './report.js';
import { localCertificate, startSmtpReceiver, startWebhookReceiver, type MailArrival, type Receiver, type WebhookArrival } from './alert-notify-receivers.js';

const SECRET = 'bench-webhook-secret-5d0e';
const SMTP_USER = 'edge';
const SMTP_PASSWORD = 'bench-smtp-pass';
const STORM_ALERTS = 1000;
const STORM_SECONDS = 1;
/** The notifiers' default storm limit (notifier-node.ts). */
const DEFAULT_MAX_PER_MINUTE = 10;
const WARM_UP_ALERTS = 5;

/** Counters of a notifier config node's service (its api). */
interface NotifierView {
  counters: { delivered: number; failed: number; summarized: number; summaries: number };
  queued: number;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function flows(webhookBase: string, smtpPort: string): Array<Record<string, unknown>> {
  const mail = { type: 'notify-email', host: '127.0.0.1', port: smtpPort, from: 'LoopEdge <edge@plant.example>', retryInitialSeconds: '0.2', retryMaxSeconds: '2' };
  return [
    { id: 'bench', type: 'tab', label: 'notification latency' },
    // Latency: a storm limit no run reaches, so every notification goes on its own.
    { id: 'mail', ...mail, to: 'latency@plant.example', subject: '{{key}}', maxPerMinute: '1000000' },
    { id: 'hook', type: 'notify-webhook', url: `${webhookBase}/latency`, maxPerMinute: '1000000', retryInitialSeconds: '0.2', retryMaxSeconds: '2' },
    // Storm: the defaults (maxPerMinute 10).
    { id: 'storm-mail', ...mail, to: 'storm@plant.example' },
    { id: 'storm-hook', type: 'notify-webhook', url: `${webhookBase}/storm`, retryInitialSeconds: '0.2', retryMaxSeconds: '2' },
    { id: 'alert', type: 'alert', z: 'bench', condition: 'above', threshold: '80', severity: 'major', key: 'latency-{{topic}}', title: '{{topic}} hot', notifiers: ['mail', 'hook'], wires: [[]] },
    { id: 'storm-alert', type: 'alert', z: 'bench', condition: 'above', threshold: '80', severity: 'critical', key: 'storm-{{topic}}', title: '{{topic}} hot', notifiers: ['storm-mail', 'storm-hook'], wires: [[]] },
  ];
}

async function startBenchServer(dataDir: string, webhookBase: string, smtpPort: string, certPem: string): Promise<RunningServer> {
  mkdirSync(dataDir, { recursive: true });
  const flowsFile = join(dataDir, 'flows.json');
  writeFileSync(flowsFile, JSON.stringify([{ id: 'bench', type: 'tab', label: 'notification latency' }]));
  // The admin API is on because credentials (the HMAC secret, the SMTP login) live in its encrypted store, as in production.
  const server = await startServer({ flows: flowsFile, data: dataDir, port: 0, host: '127.0.0.1', env: {}, logger: silentLogger, bcryptCost: 10, announce: () => undefined });
  try {
    const credentials = server.admin!.security.credentials;
    for (const id of ['mail', 'storm-mail']) credentials.set(id, { user: SMTP_USER, password: SMTP_PASSWORD, ca: certPem });
    for (const id of ['hook', 'storm-hook']) credentials.set(id, { secret: SECRET, ca: certPem });
    const deployed = await server.runtime.deploy(flows(webhookBase, smtpPort), { type: 'full' });
    if (!deployed.ok) throw new Error(`the benchmark flows failed to deploy: ${deployed.error ?? JSON.stringify(deployed.problems)}`);
    return server;
  } catch (error) {
    await server.stop();
    throw error;
  }
}

function notifier(runtime: Runtime, id: string): NotifierView {
  const view = runtime.node(id)?.handlers.api as NotifierView | undefined;
  if (!view) throw new Error(`notifier ${id} is not running`);
  return view;
}

async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

interface LatencyResult {
  webhookMs: number[];
  mailMs: number[];
  /** Message in → the notifier's SMTP connection accepted: LoopEdge's share before the SMTP dialogue. */
  mailConnectMs: number[];
}

/** One alert at a time: raise, then wait for both the webhook and the mail before the next. */
async function measureLatency(runtime: Runtime, hook: Receiver<WebhookArrival>, smtp: Receiver<MailArrival>, count: number): Promise<LatencyResult> {
  const result: LatencyResult = { webhookMs: [], mailMs: [], mailConnectMs: [] };
  for (let i = 0; i < WARM_UP_ALERTS + count; i++) {
    const key = `latency-m${i}`;
    const sent = performance.now();
    runtime.receive('alert', { topic: `m${i}`, payload: 95 });
    const [webhook, mail] = await Promise.all([
      hook.log.waitFor((a) => a.body.kind === 'alert' && a.body.key === key, `the webhook for ${key}`),
      smtp.log.waitFor((m) => m.subject === key, `the mail for ${key}`),
    ]);
    // The first few load nodemailer and open the first TLS sessions: not counted.
    if (i < WARM_UP_ALERTS) continue;
    result.webhookMs.push(webhook.at - sent);
    result.mailMs.push(mail.at - sent);
    // One alert at a time and the storm notifiers idle: the first connection after the raise is this mail's.
    const connected = smtp.connections.find((at) => at >= sent);
    if (connected !== undefined) result.mailConnectMs.push(connected - sent);
  }
  return result;
}

interface ChannelStorm {
  sent: number;
  singles: number;
  summariesArrived: number;
  summarized: number;
  held: number;
  firstSummaryMs: number | undefined;
  accounted: boolean;
}

/** 1,000 alerts spread over one second (a batch every 20 ms), then what each storm channel did within that minute. */
async function runStorm(runtime: Runtime, hook: Receiver<WebhookArrival>, smtp: Receiver<MailArrival>, storm: number): Promise<{ webhook: ChannelStorm; mail: ChannelStorm }> {
  const batches = 50;
  const perBatch = Math.ceil(storm / batches);
  const started = performance.now();
  for (let b = 0; b < batches; b++) {
    for (let i = b * perBatch; i < Math.min(storm, (b + 1) * perBatch); i++) runtime.receive('storm-alert', { topic: `s${i}`, payload: 95 });
    await new Promise((resolve) => setTimeout(resolve, (STORM_SECONDS * 1000) / batches));
  }
  const alerts = runtime.options.host!.alerts!;
  await until(() => alerts.query({ nodeId: 'storm-alert', limit: 0 }).total === storm, `all ${storm} storm alerts to be raised`);
  // Both channels use their minute's budget (the last slot for the summary) long before the minute is over.
  const settled = (id: string): boolean => {
    const view = notifier(runtime, id);
    return view.counters.delivered >= DEFAULT_MAX_PER_MINUTE || view.queued === 0;
  };
  await until(() => settled('storm-hook') && settled('storm-mail'), 'the storm notifiers to use their minute\'s budget');
  const hookArrivals = hook.log.entries.filter((a) => a.path === '/storm');
  const mailArrivals = smtp.log.entries.filter((m) => m.to.includes('storm@plant.example'));
  const summaryCount = (m: MailArrival): number | undefined => {
    const match = /^\[LoopEdge\] (\d+) more alert notification/.exec(m.subject);
    return match ? Number(match[1]) : undefined;
  };
  const channel = (id: string, arrivals: Array<{ at: number; summary: number | undefined }>): ChannelStorm => {
    const view = notifier(runtime, id);
    const summaries = arrivals.filter((a) => a.summary !== undefined);
    const singles = arrivals.length - summaries.length;
    const summarized = summaries.reduce((sum, a) => sum + (a.summary ?? 0), 0);
    return {
      sent: arrivals.length,
      singles,
      summariesArrived: summaries.length,
      summarized,
      held: view.queued,
      firstSummaryMs: summaries[0] ? summaries[0].at - started : undefined,
      // Nothing lost: every alert went out alone, in the summary, or waits for the next minute.
      accounted: singles + summarized + view.queued === storm && view.counters.delivered === arrivals.length,
    };
  };
  return {
    webhook: channel('storm-hook', hookArrivals.map((a) => ({ at: a.at, summary: a.body.kind === 'summary' ? a.body.summary.count : undefined }))),
    mail: channel('storm-mail', mailArrivals.map((m) => ({ at: m.at, summary: summaryCount(m) }))),
  };
}

export async function runAlertNotifyLatency(): Promise<BenchmarkOutcome> {
  const quick = isQuickMode();
  const count = quick ? 30 : 200;
  const work = mkdtempSync(join(tmpdir(), 'loopedge-bench-notify-'));
  const stops: Array<() => Promise<void>> = [];
  try {
    const tls = localCertificate(work);
    const hook = await startWebhookReceiver(tls, SECRET);
    stops.push(() => hook.stop());
    const smtp = await startSmtpReceiver(tls, SMTP_USER, SMTP_PASSWORD);
    stops.push(() => smtp.stop());
    const dataDir = join(work, 'data');
    const server = await startBenchServer(dataDir, hook.address, smtp.address, tls.certPem);
    stops.unshift(() => server.stop());

    const latency = await measureLatency(server.runtime, hook, smtp, count);
    const storm = await runStorm(server.runtime, hook, smtp, STORM_ALERTS);
    const invalidSignatures = hook.log.entries.filter((a) => !a.signatureValid).length;
    const insecureMails = smtp.log.entries.filter((m) => !m.secure).length;
    const stormOk = (c: ChannelStorm): boolean => c.sent <= DEFAULT_MAX_PER_MINUTE && c.summariesArrived === 1 && c.accounted;
    const stormText = (c: ChannelStorm): string => `${c.sent} (${c.singles} alone + 1 summary of ${formatNumber(c.summarized)})`;
    const ms = (values: number[], p: number): string => formatNumber(p === 50 ? median(values) : percentile(values, p), 1);

    const table = formatTable(
      `Notification latency: ${count} alerts one at a time (distinct keys), alert node → notify-webhook (HTTPS, HMAC) and notify-email (SMTP, STARTTLS + login)`,
      ['what', 'webhook', 'email'],
      [
        ['message in → arrived, p50 ms', ms(latency.webhookMs, 50), ms(latency.mailMs, 50)],
        ['message in → arrived, p99 ms', ms(latency.webhookMs, 99), ms(latency.mailMs, 99)],
        ['message in → arrived, max ms', formatNumber(Math.max(...latency.webhookMs), 1), formatNumber(Math.max(...latency.mailMs), 1)],
        ['email: message in → SMTP connection opened, p50 / p99 ms', '', `${ms(latency.mailConnectMs, 50)} / ${ms(latency.mailConnectMs, 99)}`],
        ['(email arrival includes smtp-server\'s fixed 100 ms greeting delay)', '', ''],
        [`storm: ${formatNumber(STORM_ALERTS)} alerts in ${STORM_SECONDS} s, maxPerMinute ${DEFAULT_MAX_PER_MINUTE}: sent in the minute`, stormText(storm.webhook), stormText(storm.mail)],
        ['storm: summaries arrived', String(storm.webhook.summariesArrived), String(storm.mail.summariesArrived)],
        ['storm: first alert → summary arrived, ms', formatNumber(storm.webhook.firstSummaryMs, 0), formatNumber(storm.mail.firstSummaryMs, 0)],
        ['storm: held in the queue for the next minute', formatNumber(storm.webhook.held), formatNumber(storm.mail.held)],
        ['storm: every alert sent, summarized or queued', storm.webhook.accounted ? 'yes' : 'NO', storm.mail.accounted ? 'yes' : 'NO'],
        ['invalid HMAC signatures / mails without STARTTLS', String(invalidSignatures), String(insecureMails)],
        ['Node-RED', 'n/a (no alert node in core)', ''],
      ],
    );
    return {
      report: table,
      summary: `webhook p50 ${ms(latency.webhookMs, 50)} ms / p99 ${ms(latency.webhookMs, 99)} ms, email p50 ${ms(latency.mailMs, 50)} ms / p99 ${ms(latency.mailMs, 99)} ms; storm of ${STORM_ALERTS}: webhook ${stormText(storm.webhook)}, email ${stormText(storm.mail)}`,
      // No latency target in the issue; judged: the storm limit held with one summary per channel, nothing lost, every signature valid, every mail over STARTTLS.
      targetMet: stormOk(storm.webhook) && stormOk(storm.mail) && invalidSignatures === 0 && insecureMails === 0,
      results: {
        alerts: count,
        webhookP50Ms: median(latency.webhookMs),
        webhookP99Ms: percentile(latency.webhookMs, 99),
        emailP50Ms: median(latency.mailMs),
        emailP99Ms: percentile(latency.mailMs, 99),
        emailConnectP50Ms: median(latency.mailConnectMs),
        emailConnectP99Ms: percentile(latency.mailConnectMs, 99),
        storm: { alerts: STORM_ALERTS, seconds: STORM_SECONDS, maxPerMinute: DEFAULT_MAX_PER_MINUTE, webhook: storm.webhook, email: storm.mail },
        invalidSignatures,
        insecureMails,
      },
    };
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}

export const alertNotifyLatencyBenchmark: Benchmark = {
  name: 'alert-notify-latency',
  description: 'alert → webhook (HTTPS, HMAC) and email (SMTP, STARTTLS) arrival latency p50/p99; 1,000-alert storm against the default limit',
  run: runAlertNotifyLatency,
};

runIfMain(import.meta.url, alertNotifyLatencyBenchmark);
