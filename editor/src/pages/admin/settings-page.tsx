import { useCan, useSession } from '../../app/session-context.js';
import { ErrorText } from '../../components/error-text.js';
import { useAction, useLoader } from '../../components/use-loader.js';
import { ApiRequestError } from '../../api/api-error.js';

interface FlowSigningPolicy {
  requireSignedFlows: boolean;
  setting: boolean | null;
  deviceId: string;
  deviceGroups: string[];
}

/** Device-wide security settings: two-factor for everyone, signed deploys. Changing them is admin-only. */
export function SettingsPage() {
  const { api } = useSession();
  const canWrite = useCan('security:write');
  const settings = useLoader(() => api.get<{ requireTwoFactor: boolean }>('/api/settings'), [api]);
  const signing = useLoader(
    () =>
      api.get<FlowSigningPolicy>('/api/settings/flow-signing').catch((error: unknown) => {
        // A server without flow signing answers 404: the section is simply not shown.
        if (error instanceof ApiRequestError && error.status === 404) return undefined;
        throw error;
      }),
    [api],
  );
  const action = useAction();

  async function setTwoFactor(requireTwoFactor: boolean): Promise<void> {
    if (await action.run(() => api.put('/api/settings/security', { requireTwoFactor }))) await settings.reload();
  }
  async function setSigned(value: string): Promise<void> {
    const requireSignedFlows = value === 'default' ? null : value === 'on';
    if (await action.run(() => api.put('/api/settings/flow-signing', { requireSignedFlows }))) await signing.reload();
  }

  return (
    <main className="page">
      <h1>Settings</h1>
      <ErrorText message={settings.error ?? signing.error ?? action.error} />
      {!canWrite && <p className="hint">Only administrators may change these settings.</p>}
      <section aria-labelledby="security-title">
        <h2 id="security-title">Sign-in</h2>
        <label className="check">
          <input
            type="checkbox"
            checked={settings.data?.requireTwoFactor ?? false}
            disabled={!canWrite || action.busy || !settings.data}
            onChange={(e) => void setTwoFactor(e.target.checked)}
          />
          Require two-factor sign-in for every user
        </label>
        <p className="hint">Users without it set up are asked to enroll at their next sign-in.</p>
      </section>
      {signing.data && (
        <section aria-labelledby="signing-title">
          <h2 id="signing-title">Signed deploys</h2>
          <p>
            Deploys must be signed now: <strong>{signing.data.requireSignedFlows ? 'yes' : 'no'}</strong>. Device id <code>{signing.data.deviceId}</code>
            {signing.data.deviceGroups.length > 0 && <>, groups {signing.data.deviceGroups.join(', ')}</>}.
          </p>
          <div className="field narrow-form">
            <label htmlFor="require-signed">Require signed flows</label>
            <select
              id="require-signed"
              value={signing.data.setting === null ? 'default' : signing.data.setting ? 'on' : 'off'}
              disabled={!canWrite || action.busy}
              onChange={(e) => void setSigned(e.target.value)}
            >
              <option value="default">Default: on once a signing key is trusted</option>
              <option value="on">Always</option>
              <option value="off">Never (unsigned deploys allowed)</option>
            </select>
          </div>
        </section>
      )}
    </main>
  );
}
