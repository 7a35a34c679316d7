import { Type } from '@sinclair/typebox';
import { ALERT_SEVERITIES, ALERT_STATES, AlertServiceError, type AlertService } from '@loopedge/runtime';
import { ApiError } from '../errors.js';
import { IdParam, StrictObject } from '../schema-tools.js';
import { defineRoute, type AnyRoute, type ApiServices } from '../route-types.js';
import { audit, requirePrincipal } from './shared.js';

const SeveritySchema = Type.Union(ALERT_SEVERITIES.map((s) => Type.Literal(s)));
const StateSchema = Type.Union(ALERT_STATES.map((s) => Type.Literal(s)));

const AlertSchema = Type.Object({
  id: Type.String(),
  key: Type.String(),
  severity: SeveritySchema,
  state: StateSchema,
  title: Type.String(),
  message: Type.String(),
  source: Type.Object({ nodeId: Type.String(), flowId: Type.String(), name: Type.Optional(Type.String()) }),
  value: Type.Optional(Type.Unknown()),
  raisedAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  acknowledgedAt: Type.Optional(Type.String({ format: 'date-time' })),
  acknowledgedBy: Type.Optional(Type.String()),
  acknowledgeNote: Type.Optional(Type.String()),
  clearedAt: Type.Optional(Type.String({ format: 'date-time' })),
  clearedBy: Type.Optional(Type.String()),
  lastNotifiedAt: Type.String({ format: 'date-time' }),
});

const HistoryEntrySchema = Type.Object({
  alertId: Type.String(),
  transition: Type.Union([Type.Literal('raised'), Type.Literal('renotify'), Type.Literal('acknowledged'), Type.Literal('cleared')]),
  at: Type.String({ format: 'date-time' }),
  by: Type.Optional(Type.String()),
  note: Type.Optional(Type.String()),
  value: Type.Optional(Type.Unknown()),
});

/** The runtime's alert service is the one the alert nodes use: one source of truth. */
function alertsOf(services: ApiServices): AlertService {
  const alerts = services.runtime.options.host?.alerts;
  if (!alerts) throw new ApiError('not-found', 'This server keeps no alerts (the runtime was started without an alert service).');
  return alerts;
}

/** Times in the query may carry any offset; stored times are UTC ISO strings, compared as text. */
function utc(value: string | undefined): string | undefined {
  return value === undefined ? undefined : new Date(value).toISOString();
}

export const alertsRoutes: AnyRoute[] = [
  defineRoute({
    method: 'GET',
    path: '/api/alerts',
    // Everyone who may look at the flows may see their alerts (viewers included).
    permission: 'flows:read',
    tag: 'alerts',
    summary: 'Alerts, newest first, filtered by state, severity, key, source node and time raised',
    query: StrictObject({
      state: Type.Optional(StateSchema),
      severity: Type.Optional(SeveritySchema),
      key: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
      nodeId: Type.Optional(IdParam),
      since: Type.Optional(Type.String({ format: 'date-time' })),
      until: Type.Optional(Type.String({ format: 'date-time' })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
      offset: Type.Optional(Type.Integer({ minimum: 0 })),
    }),
    response: { status: 200, description: 'A page of alerts', schema: Type.Object({ total: Type.Integer(), alerts: Type.Array(AlertSchema) }) },
    handler({ query, services }) {
      const since = utc(query.since);
      const until = utc(query.until);
      const page = alertsOf(services).query({
        ...(query.state ? { state: query.state } : {}),
        ...(query.severity ? { severity: query.severity } : {}),
        ...(query.key ? { key: query.key } : {}),
        ...(query.nodeId ? { nodeId: query.nodeId } : {}),
        ...(since ? { since } : {}),
        ...(until ? { until } : {}),
        ...(query.limit !== undefined ? { limit: query.limit } : {}),
        ...(query.offset !== undefined ? { offset: query.offset } : {}),
      });
      return { body: page };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api/alerts/:id',
    permission: 'flows:read',
    params: StrictObject({ id: IdParam }),
    tag: 'alerts',
    summary: 'One alert with the history of its transitions',
    response: { status: 200, description: 'The alert', schema: Type.Object({ alert: AlertSchema, history: Type.Array(HistoryEntrySchema) }) },
    handler({ params, services }) {
      const alerts = alertsOf(services);
      const alert = alerts.get(params.id);
      if (!alert) throw new ApiError('not-found', `No alert "${params.id}"; GET /api/alerts lists them.`);
      return { body: { alert, history: alerts.history(params.id) } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/alerts/:id/acknowledge',
    permission: 'alerts:ack',
    params: StrictObject({ id: IdParam }),
    body: StrictObject({ note: Type.Optional(Type.String({ maxLength: 1000 })) }),
    tag: 'alerts',
    summary: 'Acknowledge an active alert: no more re-notifications; notifiers hear "acknowledged"',
    response: { status: 200, description: 'The alert, acknowledged', schema: Type.Object({ alert: AlertSchema }) },
    handler(context) {
      const { params, body, services } = context;
      const by = requirePrincipal(context.principal).user.username;
      try {
        const alert = alertsOf(services).acknowledge(params.id, by, body.note);
        audit(context, { action: 'alerts.acknowledge', target: params.id, outcome: 'success', details: { key: alert.key, severity: alert.severity, ...(body.note ? { note: body.note } : {}) } });
        return { body: { alert } };
      } catch (error) {
        if (!(error instanceof AlertServiceError)) throw error;
        audit(context, { action: 'alerts.acknowledge', target: params.id, outcome: 'failure', details: { reason: error.code } });
        throw new ApiError(error.code === 'not-found' ? 'not-found' : 'alert-state-conflict', error.message);
      }
    },
  }),
];
