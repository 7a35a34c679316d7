import { useState, type FormEvent } from 'react';
import type { PublicUser, Role } from '../../api/types.js';
import { useCan, useSession } from '../../app/session-context.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorText } from '../../components/error-text.js';
import { formatTime } from '../../components/format.js';
import { SelectField } from '../../components/select-field.js';
import { TextField } from '../../components/text-field.js';
import { useAction, useLoader } from '../../components/use-loader.js';

export const ROLE_OPTIONS: readonly { value: Role; label: string }[] = [
  { value: 'admin', label: 'admin — everything' },
  { value: 'editor', label: 'editor — edit and deploy flows' },
  { value: 'operator', label: 'operator — watch, debug, acknowledge alerts' },
  { value: 'viewer', label: 'viewer — read flows only' },
];

/** Users and roles. Anyone with users:read sees the list; changing it needs users:write (admins). */
export function UsersPage() {
  const { api, me } = useSession();
  const canWrite = useCan('users:write');
  const canReset2fa = useCan('security:write');
  const users = useLoader(() => api.get<{ users: PublicUser[] }>('/api/users').then((r) => r.users), [api]);
  const action = useAction();

  async function change(user: PublicUser, patch: { role?: Role; disabled?: boolean }): Promise<void> {
    if (await action.run(() => api.patch(`/api/users/${encodeURIComponent(user.id)}`, patch))) await users.reload();
  }
  async function remove(user: PublicUser): Promise<void> {
    if (!window.confirm(`Remove the user "${user.username}"? Their sessions and API tokens end.`)) return;
    if (await action.run(() => api.delete(`/api/users/${encodeURIComponent(user.id)}`))) await users.reload();
  }
  async function resetTwoFactor(user: PublicUser): Promise<void> {
    if (!window.confirm(`Turn off two-factor sign-in for "${user.username}" (lost phone)?`)) return;
    if (await action.run(() => api.post(`/api/users/${encodeURIComponent(user.id)}/2fa/disable`))) await users.reload();
  }

  return (
    <main className="page">
      <h1>Users and roles</h1>
      <ErrorText message={users.error ?? action.error} />
      <DataTable
        caption="Users"
        rows={users.data ?? []}
        rowKey={(u) => u.id}
        empty={users.loading ? 'Loading…' : 'No users.'}
        columns={[
          { header: 'Username', cell: (u) => u.username },
          {
            header: 'Role',
            cell: (u) =>
              canWrite && u.id !== me.user.id ? (
                <select aria-label={`Role of ${u.username}`} value={u.role} onChange={(e) => void change(u, { role: e.target.value as Role })} disabled={action.busy}>
                  {ROLE_OPTIONS.map((o) => (
                    <option key={o.value} value={o.value}>
                      {o.value}
                    </option>
                  ))}
                </select>
              ) : (
                u.role
              ),
          },
          { header: 'Two-factor', cell: (u) => (u.twoFactorEnabled ? 'on' : 'off') },
          { header: 'State', cell: (u) => (u.disabled ? 'disabled' : 'active') },
          { header: 'Created', cell: (u) => formatTime(typeof u.createdAt === 'string' ? u.createdAt : undefined) },
          {
            header: 'Actions',
            cell: (u) =>
              u.id === me.user.id ? (
                <span className="hint">you</span>
              ) : (
                <span className="row-actions">
                  {canWrite && (
                    <button type="button" onClick={() => void change(u, { disabled: !u.disabled })} disabled={action.busy}>
                      {u.disabled ? 'Enable' : 'Disable'}
                    </button>
                  )}
                  {canReset2fa && u.twoFactorEnabled && (
                    <button type="button" onClick={() => void resetTwoFactor(u)} disabled={action.busy}>
                      Reset two-factor
                    </button>
                  )}
                  {canWrite && (
                    <button type="button" className="danger" onClick={() => void remove(u)} disabled={action.busy} aria-label={`Remove ${u.username}`}>
                      Remove
                    </button>
                  )}
                </span>
              ),
          },
        ]}
      />
      {canWrite && <CreateUserForm onCreated={() => void users.reload()} />}
    </main>
  );
}

function CreateUserForm({ onCreated }: { onCreated(): void }) {
  const { api } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const action = useAction();
  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (await action.run(() => api.post('/api/users', { username, password, role }))) {
      setUsername('');
      setPassword('');
      onCreated();
    }
  }
  return (
    <section aria-labelledby="new-user-title">
      <h2 id="new-user-title">Add a user</h2>
      <form onSubmit={(e) => void submit(e)} className="narrow-form">
        <TextField label="New username" value={username} onValueChange={setUsername} autoComplete="off" required />
        <TextField label="Initial password" hint="At least 12 characters; they can change it after signing in." type="password" value={password} onValueChange={setPassword} autoComplete="new-password" required />
        <SelectField<Role> label="Role" value={role} options={ROLE_OPTIONS} onValueChange={setRole} />
        <ErrorText message={action.error} />
        <button type="submit" className="primary" disabled={action.busy}>
          Add user
        </button>
      </form>
    </section>
  );
}
