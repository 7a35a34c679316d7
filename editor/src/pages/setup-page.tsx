import { useEffect, useState, type FormEvent } from 'react';
import type { ApiClient } from '../api/api-client.js';
import { errorMessage } from '../api/api-error.js';
import { ErrorText } from '../components/error-text.js';
import { TextField } from '../components/text-field.js';

/** First start: create the first administrator with the one-time token of the setup link (`/setup?token=…`). */
export function SetupPage({ api }: { api: ApiClient }) {
  const token = new URLSearchParams(window.location.search).get('token') ?? '';
  const [needsSetup, setNeedsSetup] = useState<boolean>();
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string>();
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.get<{ needsSetup: boolean }>('/api/auth/setup').then(
      (r) => setNeedsSetup(r.needsSetup),
      (e: unknown) => setError(errorMessage(e)),
    );
  }, [api]);

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (password !== confirm) return setError('The two passwords differ.');
    setBusy(true);
    setError(undefined);
    try {
      await api.post('/api/auth/setup', { token, username, password }, { noRefresh: true });
      setDone(true);
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  }

  if (done || needsSetup === false) {
    return (
      <main className="centered">
        <div className="card">
          <h1>{done ? 'Administrator created' : 'Setup is already done'}</h1>
          <p role="status">{done ? 'Administrator created. You can now sign in.' : 'An administrator exists already.'}</p>
          <a className="button primary" href="/">
            Go to sign-in
          </a>
        </div>
      </main>
    );
  }
  return (
    <main className="centered">
      <form className="card" onSubmit={(e) => void submit(e)} aria-labelledby="setup-title">
        <h1 id="setup-title">Create the first administrator</h1>
        {!token && <p role="alert">This page needs the setup link printed by `loopedge start` (it carries a one-time token).</p>}
        <TextField label="Username" value={username} onValueChange={setUsername} autoComplete="username" required />
        <TextField label="Password" hint="At least 12 characters; a passphrase is best." type="password" value={password} onValueChange={setPassword} autoComplete="new-password" minLength={12} required />
        <TextField label="Repeat password" type="password" value={confirm} onValueChange={setConfirm} autoComplete="new-password" required />
        <ErrorText message={error} />
        <button type="submit" className="primary" disabled={busy || !token}>
          Create administrator
        </button>
      </form>
    </main>
  );
}
