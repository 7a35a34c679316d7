import { useState, type FormEvent } from 'react';
import type { TwoFactorEnrollment as TwoFactorEnrollmentStart } from '../api/types.js';
import { useSession } from '../app/session-context.js';
import { ErrorText } from '../components/error-text.js';
import { TextField } from '../components/text-field.js';
import { TwoFactorEnrollment } from '../components/two-factor-enrollment.js';
import { useAction } from '../components/use-loader.js';

/** One's own account: password change and two-factor sign-in (enroll with a QR code, recovery codes shown once). */
export function AccountPage() {
  const session = useSession();
  const { user } = session.me;
  return (
    <main className="page">
      <h1>Account</h1>
      <p>
        Signed in as <strong>{user.username}</strong>, role <strong>{user.role}</strong>.
      </p>
      <TwoFactorSection />
      <PasswordSection />
    </main>
  );
}

function PasswordSection() {
  const session = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const action = useAction();
  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    // Every session of the user ends on success: the server clears the cookies, the shell returns to sign-in.
    if (await action.run(() => session.api.post('/api/auth/password', { currentPassword: current, newPassword: next }))) await session.signOut();
  }
  return (
    <section aria-labelledby="password-title">
      <h2 id="password-title">Password</h2>
      <form onSubmit={(e) => void submit(e)} className="narrow-form">
        <TextField label="Current password" type="password" value={current} onValueChange={setCurrent} autoComplete="current-password" required />
        <TextField label="New password" hint="At least 12 characters. You will sign in again afterwards." type="password" value={next} onValueChange={setNext} autoComplete="new-password" required />
        <ErrorText message={action.error} />
        <button type="submit" disabled={action.busy}>
          Change password
        </button>
      </form>
    </section>
  );
}

function TwoFactorSection() {
  const session = useSession();
  const enabled = session.me.user.twoFactorEnabled === true;
  const [enrolling, setEnrolling] = useState(false);
  const action = useAction();

  async function disable(): Promise<void> {
    if (!window.confirm('Turn two-factor sign-in off? Your account will be protected by the password alone.')) return;
    if (await action.run(() => session.api.post('/api/auth/2fa/disable'))) await session.reload();
  }

  return (
    <section aria-labelledby="2fa-title">
      <h2 id="2fa-title">Two-factor sign-in</h2>
      {enrolling ? (
        <TwoFactorEnrollment
          begin={() => session.api.post<TwoFactorEnrollmentStart>('/api/auth/2fa/enroll')}
          confirm={(code) => session.api.post<{ recoveryCodes: string[] }>('/api/auth/2fa/confirm', { code })}
          onDone={() => {
            setEnrolling(false);
            void session.reload();
          }}
          doneLabel="I have saved them"
        />
      ) : enabled ? (
        <>
          <p>
            <span className="badge ok">On</span> Sign-in asks for a code from your authenticator app.
          </p>
          <ErrorText message={action.error} />
          <button type="button" className="danger" onClick={() => void disable()} disabled={action.busy}>
            Turn off two-factor
          </button>
        </>
      ) : (
        <>
          <p>
            <span className="badge warn">Off</span> Add a second step to sign-in with an authenticator app.
          </p>
          <button type="button" className="primary" onClick={() => setEnrolling(true)}>
            Set up two-factor
          </button>
        </>
      )}
    </section>
  );
}
