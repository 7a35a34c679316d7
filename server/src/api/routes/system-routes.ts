import { Type } from '@sinclair/typebox';
import type { AuditEntry, AuditFilter } from '@loopedge/security';
import { StrictObject } from '../schema-tools.js';
import { defineRoute, type AnyRoute } from '../route-types.js';
import { audit } from './shared.js';

const SettingsSchema = Type.Object({ requireTwoFactor: Type.Boolean() });
const AuditEntrySchema = Type.Object({
  seq: Type.Number(),
  time: Type.String(),
  actor: Type.Optional(Type.String()),
  action: Type.String(),
  target: Type.Optional(Type.String()),
  outcome: Type.Union([Type.Literal('success'), Type.Literal('failure')]),
  sourceIp: Type.Optional(Type.String()),
  details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  prevHash: Type.String(),
  hash: Type.String(),
});
const IsoTime = Type.String({ format: 'date-time', maxLength: 40 });
const AuditQuery = StrictObject({
  since: Type.Optional(IsoTime),
  until: Type.Optional(IsoTime),
  actor: Type.Optional(Type.String({ maxLength: 100 })),
  action: Type.Optional(Type.String({ maxLength: 100 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  offset: Type.Optional(Type.Integer({ minimum: 0 })),
});

/** Every entry matching the filter, oldest first, read page by page. */
function allEntries(list: (filter: AuditFilter) => AuditEntry[], filter: AuditFilter): AuditEntry[] {
  const entries: AuditEntry[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = list({ ...filter, limit: 1000, offset });
    entries.push(...page);
    if (page.length < 1000) break;
  }
  return entries.reverse();
}

export const systemRoutes: AnyRoute[] = [
  defineRoute({
    method: 'GET',
    path: '/api/health',
    permission: 'public',
    tag: 'system',
    summary: 'Liveness for load balancers and monitoring (says nothing else about the device)',
    response: { status: 200, description: 'Running', schema: Type.Object({ status: Type.Literal('ok') }) },
    handler: () => ({ body: { status: 'ok' } }),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/settings',
    permission: 'settings:read',
    tag: 'settings',
    summary: 'Device-wide settings',
    response: { status: 200, description: 'Settings', schema: SettingsSchema },
    handler: ({ services }) => ({ body: { requireTwoFactor: services.security.twoFactor.requireForEveryone } }),
  }),
  defineRoute({
    method: 'PUT',
    path: '/api/settings/security',
    stepUp: true,
    permission: 'security:write',
    tag: 'settings',
    summary: 'Security settings: require two-factor sign-in for everyone',
    body: StrictObject({ requireTwoFactor: Type.Boolean() }),
    response: { status: 200, description: 'Settings after the change', schema: SettingsSchema },
    handler(context) {
      const { body, services } = context;
      services.security.twoFactor.requireForEveryone = body.requireTwoFactor;
      audit(context, { action: 'settings.security', outcome: 'success', details: { requireTwoFactor: body.requireTwoFactor } });
      return { body: { requireTwoFactor: services.security.twoFactor.requireForEveryone } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api/audit',
    permission: 'audit:read',
    query: AuditQuery,
    tag: 'audit',
    summary: 'Audit log entries, newest first',
    response: { status: 200, description: 'Entries', schema: Type.Object({ entries: Type.Array(AuditEntrySchema) }) },
    handler: ({ query, services }) => ({ body: { entries: services.security.audit.list(query) } }),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/audit/export',
    permission: 'audit:read',
    query: StrictObject({ since: Type.Optional(IsoTime), until: Type.Optional(IsoTime) }),
    tag: 'audit',
    summary: 'The audit log as JSON lines, oldest first, with each entry\'s hash chain',
    response: { status: 200, description: 'One JSON entry per line', contentType: 'application/x-ndjson' },
    handler(context) {
      const { query, services } = context;
      const entries = allEntries((filter) => services.security.audit.list(filter), query);
      audit(context, { action: 'audit.export', outcome: 'success', details: { entries: entries.length } });
      return {
        body: entries.map((entry) => JSON.stringify(entry)).join('\n') + (entries.length ? '\n' : ''),
        contentType: 'application/x-ndjson',
        headers: { 'Content-Disposition': 'attachment; filename="loopedge-audit.jsonl"' },
      };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api/audit/verify',
    permission: 'audit:read',
    tag: 'audit',
    summary: 'Check the hash chain: ok, or the first entry that was changed or removed',
    response: { status: 200, description: 'Result', schema: Type.Object({ ok: Type.Boolean(), brokenAt: Type.Optional(Type.Number()) }) },
    handler: ({ services }) => ({ body: services.security.audit.verifyChain() }),
  }),
  defineRoute({
    method: 'GET',
    path: '/metrics',
    permission: 'metrics:read',
    tag: 'system',
    summary: 'Prometheus metrics: process figures and per-node counters labelled by flow and node',
    response: { status: 200, description: 'Prometheus text format', contentType: 'text/plain' },
    handler: async ({ services }) => ({ body: await services.metrics.text(), contentType: services.metrics.contentType }),
  }),
];
