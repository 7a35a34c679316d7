import { useEffect, useState, type FormEvent } from 'react';
import { errorMessage } from '../../api/api-error.js';
import { useCan, useSession } from '../../app/session-context.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorText } from '../../components/error-text.js';
import { formatTime } from '../../components/format.js';
import { TextField } from '../../components/text-field.js';
import { useAction, useLoader } from '../../components/use-loader.js';
import { generateSigningKey, loadSigningKey, type StoredSigningKey } from '../../signing/index.js';

export interface SigningKeyView {
  id: string;
  name: string;
  owner: string;
  state: 'pending' | 'trusted' | 'revoked' | 'expired' | 'rejected';
  createdAt: string;
  expiresAt?: string;
  revokedAt?: string;
}

/**
 * Flow-signing keys. Each editor makes its own key in this browser (private
 * half non-extractable, in IndexedDB) and sends the public half as a request;
 * an administrator approves it here; from then on its deploys are signed.
 */
export function SigningKeysPage() {
  const { api, me } = useSession();
  const isAdmin = useCan('security:write');
  const keys = useLoader(() => api.get<{ keys: SigningKeyView[] }>('/api/signing-keys').then((r) => r.keys), [api]);
  const action = useAction();

  async function decide(key: SigningKeyView, decision: 'approve' | 'reject'): Promise<void> {
    const body = decision === 'approve' ? {} : undefined;
    if (await action.run(() => api.post(`/api/signing-keys/requests/${encodeURIComponent(key.id)}/${decision}`, body))) await keys.reload();
  }
  async function revoke(key: SigningKeyView): Promise<void> {
    const reason = window.prompt(`Revoke "${key.name}" for good? Signatures by it are refused from now on. Reason:`);
    if (!reason) return;
    if (await action.run(() => api.post(`/api/signing-keys/${encodeURIComponent(key.id)}/revoke`, { reason }))) await keys.reload();
  }

  return (
    <main className="page">
      <h1>Signing keys</h1>
      <BrowserKeySection username={me.user.username} serverKeys={keys.data} onRequested={() => void keys.reload()} />
      <h2>Keys and requests</h2>
      <ErrorText message={keys.error ?? action.error} />
      <DataTable
        caption="Flow-signing keys"
        rows={keys.data ?? []}
        rowKey={(k) => k.id + k.state}
        empty={keys.loading ? 'Loading…' : 'No signing keys yet.'}
        columns={[
          { header: 'Name', cell: (k) => k.name },
          { header: 'Owner', cell: (k) => k.owner },
          { header: 'State', cell: (k) => <span className={'badge ' + (k.state === 'trusted' ? 'ok' : k.state === 'pending' ? 'warn' : '')}>{k.state}</span> },
          { header: 'Key id', cell: (k) => <code className="kid">{k.id}</code> },
          { header: 'Created', cell: (k) => formatTime(k.createdAt) },
          { header: 'Expires', cell: (k) => (k.expiresAt ? formatTime(k.expiresAt) : '—') },
          {
            header: 'Actions',
            cell: (k) =>
              !isAdmin ? null : k.state === 'pending' ? (
                <span className="row-actions">
                  <button type="button" className="primary" onClick={() => void decide(k, 'approve')} disabled={action.busy} aria-label={`Approve ${k.name}`}>
                    Approve
                  </button>
                  <button type="button" onClick={() => void decide(k, 'reject')} disabled={action.busy} aria-label={`Reject ${k.name}`}>
                    Reject
                  </button>
                </span>
              ) : k.state === 'trusted' ? (
                <button type="button" className="danger" onClick={() => void revoke(k)} disabled={action.busy} aria-label={`Revoke ${k.name}`}>
                  Revoke
                </button>
              ) : null,
          },
        ]}
      />
      {isAdmin && <PipelineKeyForm onAdded={() => void keys.reload()} />}
    </main>
  );
}

function BrowserKeySection({ username, serverKeys, onRequested }: { username: string; serverKeys: SigningKeyView[] | undefined; onRequested(): void }) {
  const { api } = useSession();
  const [local, setLocal] = useState<StoredSigningKey | null>();
  const [name, setName] = useState(`${username} (browser)`);
  const [error, setError] = useState<string>();
  const action = useAction();
  useEffect(() => {
    loadSigningKey(username).then(
      (key) => setLocal(key ?? null),
      (e: unknown) => setError(errorMessage(e)),
    );
  }, [username]);
  const onServer = local ? serverKeys?.find((k) => k.id === local.kid && k.state !== 'rejected') : undefined;

  async function request(key: StoredSigningKey): Promise<void> {
    if (await action.run(() => api.post('/api/signing-keys/requests', { name: key.name, publicKeyPem: key.publicKeyPem }))) onRequested();
  }
  async function generate(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (local && !window.confirm('Replace this browser\'s signing key? The old one stops being usable here.')) return;
    await action.run(async () => {
      const key = await generateSigningKey(username, name.trim());
      setLocal(key);
      await api.post('/api/signing-keys/requests', { name: key.name, publicKeyPem: key.publicKeyPem });
      onRequested();
    });
  }

  return (
    <section aria-labelledby="browser-key-title" className="card wide">
      <h2 id="browser-key-title">This browser's signing key</h2>
      <ErrorText message={error ?? action.error} />
      {local === undefined ? (
        <p>Looking for a key…</p>
      ) : local === null ? (
        <p>This browser has no signing key for {username}. Deploys to a device that requires signed flows need one.</p>
      ) : (
        <p data-testid="browser-key-state">
          Key <strong>{local.name}</strong> (<code className="kid">{local.kid}</code>):{' '}
          {onServer ? <span className={'badge ' + (onServer.state === 'trusted' ? 'ok' : 'warn')}>{onServer.state === 'trusted' ? 'approved' : onServer.state}</span> : <span className="badge">not sent</span>}
          {onServer?.state === 'pending' && ' — an administrator must approve it on this page.'}
        </p>
      )}
      {local && !onServer && serverKeys && (
        <button type="button" onClick={() => void request(local)} disabled={action.busy}>
          Send approval request
        </button>
      )}
      <form onSubmit={(e) => void generate(e)} className="narrow-form">
        <TextField label="Key name" value={name} onValueChange={setName} required maxLength={200} />
        <button type="submit" className="primary" disabled={action.busy}>
          {local ? 'Replace key and request approval' : 'Generate key and request approval'}
        </button>
      </form>
    </section>
  );
}

function PipelineKeyForm({ onAdded }: { onAdded(): void }) {
  const { api } = useSession();
  const [name, setName] = useState('');
  const [owner, setOwner] = useState('');
  const [pem, setPem] = useState('');
  const action = useAction();
  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (await action.run(() => api.post('/api/signing-keys', { name, owner, publicKeyPem: pem }))) {
      setName('');
      setOwner('');
      setPem('');
      onAdded();
    }
  }
  return (
    <section aria-labelledby="pipeline-key-title">
      <h2 id="pipeline-key-title">Trust a pipeline key</h2>
      <form onSubmit={(e) => void submit(e)} className="narrow-form">
        <TextField label="Pipeline key name" value={name} onValueChange={setName} required />
        <TextField label="Owner" hint="Who answers for this key, e.g. the CI team." value={owner} onValueChange={setOwner} required />
        <div className="field">
          <label htmlFor="pipeline-pem">Public key (PEM, from `loopedge keys generate`)</label>
          <textarea id="pipeline-pem" rows={4} value={pem} onChange={(e) => setPem(e.target.value)} required />
        </div>
        <ErrorText message={action.error} />
        <button type="submit" disabled={action.busy}>
          Trust key
        </button>
      </form>
    </section>
  );
}
