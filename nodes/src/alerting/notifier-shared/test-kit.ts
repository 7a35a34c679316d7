// Test helpers for the notifier nodes: a probe node that hands messages to a
// notifier's `notify` (the way the alert node does), notifications, and a
// throwaway TLS certificate for the test servers.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { defineNode, startTestFlow, type AnyNodeTypeDefinition, type TestFlow } from '@loopedge/runtime';
import type { FlowDocument } from '@loopedge/flows';
import { isNotifierApi, type AlertNotification } from '../shared/alert-notification.js';
import type { NotifierService } from './notifier-node.js';

export const TAB = { id: 't1', type: 'tab', label: 'Notifiers' };

/** Calls `notify(msg.payload)` on the notifier config node named in its `notifier` property, like the alert node. */
export const notifyProbeNode = defineNode({
  type: 'notify-probe',
  category: 'alerts',
  config: Type.Object({ notifier: Type.String({ default: '' }) }),
  inputs: 1,
  outputs: 0,
  editor: { icon: 'alert.svg', color: '#fff' },
  create(node, config) {
    return {
      input(msg) {
        const api = node.getConfigNode(config.notifier);
        if (!isNotifierApi(api)) throw new Error(`notify-probe ${node.id}: "${config.notifier}" is not a notifier`);
        api.notify(msg.payload as AlertNotification);
      },
    };
  },
});

let counter = 0;

export function notification(overrides: Partial<AlertNotification> = {}): AlertNotification {
  counter += 1;
  const at = new Date().toISOString();
  return {
    alertId: `alert-${counter}`,
    key: `press-${counter}/temperature`,
    severity: 'critical',
    state: 'active',
    transition: 'raised',
    title: `Press ${counter} over temperature`,
    message: `Temperature 91.5 degC is above the limit of 80 degC`,
    source: { nodeId: 'alert1', flowId: 't1', name: 'Press temperature' },
    value: 91.5,
    at,
    raisedAt: at,
    ...overrides,
  };
}

/** A flow with the notifier config node (`id` from the given node) and a probe `p` wired to it. */
export function startNotifierFlow(notifier: Record<string, unknown>, options: { types: AnyNodeTypeDefinition[]; credentials?: Record<string, Record<string, string>>; settings?: Record<string, unknown>; extra?: Array<Record<string, unknown>> }): Promise<TestFlow> {
  const doc = [TAB, notifier, ...(options.extra ?? []), { id: 'p', type: 'notify-probe', z: 't1', notifier: notifier.id, wires: [] }] as FlowDocument;
  const credentials = options.credentials ?? {};
  return startTestFlow(doc, {
    nodeTypes: [...options.types, notifyProbeNode],
    credentials: { get: (id) => credentials[id] ?? {} },
    ...(options.settings ? { settings: options.settings } : {}),
  });
}

/** The running notifier's service, to read its counters in tests. */
export function notifierService(flow: TestFlow, id: string): NotifierService {
  const api = flow.runtime.node(id)?.handlers.api;
  if (!isNotifierApi(api)) throw new Error(`no running notifier "${id}"`);
  return api as NotifierService;
}

export interface TestCertificate {
  certPem: string;
  keyPem: string;
}

/** A self-signed EC certificate for 127.0.0.1 and localhost, made with the openssl CLI (apt package `openssl`). */
export function makeCertificate(): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'loopedge-notifier-tls-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
      { stdio: 'ignore' },
    );
    return { certPem: readFileSync(join(dir, 'cert.pem'), 'utf8'), keyPem: readFileSync(join(dir, 'key.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Poll until the condition holds (a bound on waiting, never a timing assertion). */
export async function eventually(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`Timed out waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
