import { useState, type FormEvent } from 'react';
import type { ApiClient } from '../api/api-client.js';
import { ApiRequestError, errorMessage } from '../api/api-error.js';
import type { Me } from '../api/types.js';
import { ErrorText } from '../components/error-text.js';
import { TextField } from '../components/text-field.js';
import { TwoFactorEnrollment, type EnrollmentStart } from '../components/two-factor-enrollment.js';

type Step = 'password' | 'totp' | 'recovery' | 'enroll';

/** Sign-in: username and password, then the TOTP code (or a recovery code) when the account has two-factor on. */
export function LoginPage({ api, notice, onSignedIn }: { api: ApiClient; notice?: string | undefined; onSignedIn(me: Me): void }) {
  const [step, setStep] = useState<Step>('password');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [enrollmentToken, setEnrollmentToken] = useState('');

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const body: Record<string, string> = { username, password };
      if (step === 'totp') body.totp = code.trim();
      if (step === 'recovery') body.recoveryCode = code.trim();
      await api.post('/api/auth/login', body, { noRefresh: true });
      const me = await api.me();
      if (!me) throw new Error('Signed in, but the session was not accepted. Check that cookies are allowed for this site.');
      onSignedIn(me);
    } catch (caught) {
      if (caught instanceof ApiRequestError && caught.code === 'two-factor-required' && step === 'password') {
        setStep('totp');
      } else if (caught instanceof ApiRequestError && caught.code === 'two-factor-setup-required' && typeof caught.details.enrollmentToken === 'string') {
        // An administrator requires two-factor and this account has none yet: enroll first, then sign in with a code.
        setEnrollmentToken(caught.details.enrollmentToken);
        setStep('enroll');
      } else {
        setError(errorMessage(caught));
      }
    } finally {
      setBusy(false);
    }
  }

  if (step === 'enroll') {
    return (
      <main className="centered login-page">
        <div className="card">
          <h1>Set up two-factor sign-in</h1>
          <p>An administrator requires a code from an authenticator app for every sign-in.</p>
          <TwoFactorEnrollment
            begin={() => api.post<EnrollmentStart>('/api/auth/2fa/setup/enroll', { enrollmentToken }, { noRefresh: true })}
            confirm={(code) => api.post<{ recoveryCodes: string[] }>('/api/auth/2fa/setup/confirm', { enrollmentToken, code }, { noRefresh: true })}
            onDone={() => {
              setCode('');
              setStep('totp');
            }}
            doneLabel="Continue to sign-in"
          />
        </div>
      </main>
    );
  }
  return (
    <main className="centered login-page">
      <form className="card" onSubmit={(e) => void submit(e)} aria-labelledby="login-title">
        <h1 id="login-title">Sign in to LoopEdge</h1>
        {notice && <p role="status">{notice}</p>}
        {step === 'password' ? (
          <>
            <TextField label="Username" value={username} onValueChange={setUsername} autoComplete="username" required autoFocus />
            <TextField label="Password" type="password" value={password} onValueChange={setPassword} autoComplete="current-password" required />
          </>
        ) : step === 'totp' ? (
          <>
            <TextField
              label="Authentication code"
              hint="The 6-digit code from your authenticator app."
              value={code}
              onValueChange={setCode}
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]{6}"
              required
              autoFocus
            />
            <button type="button" className="link" onClick={() => { setStep('recovery'); setCode(''); }}>
              Use a recovery code instead
            </button>
          </>
        ) : (
          <>
            <TextField label="Recovery code" hint="One of the recovery codes shown when two-factor was set up; each works once." value={code} onValueChange={setCode} autoComplete="off" required autoFocus />
            <button type="button" className="link" onClick={() => { setStep('totp'); setCode(''); }}>
              Use an authentication code instead
            </button>
          </>
        )}
        <ErrorText message={error} />
        <button type="submit" className="primary" disabled={busy}>
          {step === 'password' ? 'Sign in' : 'Verify'}
        </button>
      </form>
    </main>
  );
}
