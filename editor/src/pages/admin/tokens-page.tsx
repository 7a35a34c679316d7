import { useState, type FormEvent } from 'react';
import type { Permission } from '../../api/types.js';
import { useSession } from '../../app/session-context.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorText } from '../../components/error-text.js';
import { formatTime } from '../../components/format.js';
import { TextField } from '../../components/text-field.js';
import { useAction, useLoader } from '../../components/use-loader.js';

interface ApiTokenInfo {
  id: string;
  userId: string;
  name: string;
  permissions: Permission[];
  createdAt: string;
  expiresAt?: string;
  lastUsedAt?: string;
}

/** API tokens for scripts and pipelines: one's own (an admin sees all). A new token is shown once. */
export function TokensPage() {
  const { api, me } = useSession();
  const tokens = useLoader(() => api.get<{ tokens: ApiTokenInfo[] }>('/api/tokens').then((r) => r.tokens), [api]);
  const action = useAction();
  const [name, setName] = useState('');
  const [expires, setExpires] = useState('');
  const [chosen, setChosen] = useState<Permission[]>(['flows:read']);
  const [created, setCreated] = useState<string>();
  // A token never gets more than its owner's role allows; `self` and tokens:write are for people, not scripts.
  const grantable = me.permissions.filter((p) => p !== 'self' && p !== 'tokens:write');

  async function create(event: FormEvent): Promise<void> {
    event.preventDefault();
    const body: Record<string, unknown> = { name, permissions: chosen };
    if (expires) body.expiresAt = new Date(expires + 'T23:59:59').toISOString();
    await action.run(async () => {
      const result = await api.post<{ id: string; token: string }>('/api/tokens', body);
      setCreated(result.token);
      setName('');
      await tokens.reload();
    });
  }
  async function revoke(token: ApiTokenInfo): Promise<void> {
    if (!window.confirm(`Revoke the token "${token.name}"? Scripts using it stop working at once.`)) return;
    if (await action.run(() => api.delete(`/api/tokens/${encodeURIComponent(token.id)}`))) await tokens.reload();
  }
  function toggle(permission: Permission, on: boolean): void {
    setChosen(on ? [...chosen, permission] : chosen.filter((p) => p !== permission));
  }

  return (
    <main className="page">
      <h1>API tokens</h1>
      <ErrorText message={tokens.error ?? action.error} />
      {created && (
        <div className="card wide" role="status">
          <p>
            <strong>Copy the new token now</strong>; it is not shown again:
          </p>
          <code className="secret" data-testid="new-token">
            {created}
          </code>
          <p>
            <button type="button" onClick={() => void navigator.clipboard?.writeText(created)}>
              Copy
            </button>{' '}
            <button type="button" onClick={() => setCreated(undefined)}>
              Done
            </button>
          </p>
        </div>
      )}
      <DataTable
        caption="API tokens"
        rows={tokens.data ?? []}
        rowKey={(t) => t.id}
        empty={tokens.loading ? 'Loading…' : 'No API tokens.'}
        columns={[
          { header: 'Name', cell: (t) => t.name },
          { header: 'Permissions', cell: (t) => t.permissions.join(', ') },
          { header: 'Created', cell: (t) => formatTime(t.createdAt) },
          { header: 'Expires', cell: (t) => (t.expiresAt ? formatTime(t.expiresAt) : 'never') },
          { header: 'Last used', cell: (t) => formatTime(t.lastUsedAt) },
          {
            header: 'Actions',
            cell: (t) => (
              <button type="button" className="danger" onClick={() => void revoke(t)} disabled={action.busy} aria-label={`Revoke ${t.name}`}>
                Revoke
              </button>
            ),
          },
        ]}
      />
      <section aria-labelledby="new-token-title">
        <h2 id="new-token-title">New token</h2>
        <form onSubmit={(e) => void create(e)} className="narrow-form">
          <TextField label="Token name" hint="What uses it, e.g. “CI deploy”." value={name} onValueChange={setName} required maxLength={100} />
          <fieldset>
            <legend>Permissions</legend>
            {grantable.map((p) => (
              <label key={p} className="check">
                <input type="checkbox" checked={chosen.includes(p)} onChange={(e) => toggle(p, e.target.checked)} /> {p}
              </label>
            ))}
          </fieldset>
          <TextField label="Expires on (optional)" type="date" value={expires} onValueChange={setExpires} />
          <button type="submit" className="primary" disabled={action.busy || chosen.length === 0}>
            Create token
          </button>
        </form>
      </section>
    </main>
  );
}
