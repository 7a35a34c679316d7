import { useEffect, useState } from 'react';
import { ApiRequestError } from '../api/api-error.js';
import { useCan, useSession } from '../app/session-context.js';
import { DataTable } from '../components/data-table.js';
import { ErrorText } from '../components/error-text.js';
import { formatTime } from '../components/format.js';
import { SelectField } from '../components/select-field.js';
import { useAction, useLoader } from '../components/use-loader.js';

export interface AlertView {
  id: string;
  key: string;
  severity: 'critical' | 'major' | 'minor' | 'warning' | 'info';
  state: 'active' | 'acknowledged' | 'cleared';
  title: string;
  message: string;
  source: { nodeId: string; flowId: string; name?: string };
  raisedAt: string;
  acknowledgedBy?: string;
}

const STATES = [
  { value: '', label: 'any state' },
  { value: 'active', label: 'active' },
  { value: 'acknowledged', label: 'acknowledged' },
  { value: 'cleared', label: 'cleared' },
] as const;
const SEVERITIES = [
  { value: '', label: 'any severity' },
  { value: 'critical', label: 'critical' },
  { value: 'major', label: 'major' },
  { value: 'minor', label: 'minor' },
  { value: 'warning', label: 'warning' },
  { value: 'info', label: 'info' },
] as const;
type StateFilter = (typeof STATES)[number]['value'];
type SeverityFilter = (typeof SEVERITIES)[number]['value'];

/** Alerts raised by alert nodes: filter, acknowledge; the list refreshes on live `alert` events. */
export function AlertsPage() {
  const { api, live } = useSession();
  const canAck = useCan('alerts:ack');
  const [state, setState] = useState<StateFilter>('active');
  const [severity, setSeverity] = useState<SeverityFilter>('');
  const alerts = useLoader(
    () =>
      api.get<{ total: number; alerts: AlertView[] }>('/api/alerts', { query: { state: state || undefined, severity: severity || undefined, limit: 200 } }).catch((error: unknown) => {
        if (error instanceof ApiRequestError && error.status === 404) return { total: 0, alerts: [] };
        throw error;
      }),
    [api, state, severity],
  );
  const action = useAction();
  const { reload } = alerts;
  useEffect(() => live.on('alert', () => void reload()), [live, reload]);

  async function acknowledge(alert: AlertView): Promise<void> {
    if (await action.run(() => api.post(`/api/alerts/${encodeURIComponent(alert.id)}/acknowledge`, {}))) await reload();
  }

  return (
    <main className="page">
      <h1>Alerts</h1>
      <div className="toolbar">
        <SelectField<StateFilter> label="State" value={state} options={STATES} onValueChange={setState} />
        <SelectField<SeverityFilter> label="Severity" value={severity} options={SEVERITIES} onValueChange={setSeverity} />
      </div>
      <ErrorText message={alerts.error ?? action.error} />
      <DataTable
        caption="Alerts"
        rows={alerts.data?.alerts ?? []}
        rowKey={(a) => a.id}
        empty={alerts.loading ? 'Loading…' : 'No alerts match.'}
        columns={[
          { header: 'Severity', cell: (a) => <span className={'badge severity-' + a.severity}>{a.severity}</span> },
          { header: 'Alert', cell: (a) => a.title },
          { header: 'Message', cell: (a) => a.message },
          { header: 'Source', cell: (a) => a.source.name ?? a.source.nodeId },
          { header: 'Raised', cell: (a) => formatTime(a.raisedAt) },
          { header: 'State', cell: (a) => (a.state === 'acknowledged' && a.acknowledgedBy ? `acknowledged by ${a.acknowledgedBy}` : a.state) },
          {
            header: 'Actions',
            cell: (a) =>
              canAck && a.state === 'active' ? (
                <button type="button" onClick={() => void acknowledge(a)} disabled={action.busy} aria-label={`Acknowledge ${a.title}`}>
                  Acknowledge
                </button>
              ) : null,
          },
        ]}
      />
    </main>
  );
}
