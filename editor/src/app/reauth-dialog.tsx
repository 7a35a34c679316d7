import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { ApiClient, ReauthChallenge } from '../api/api-client.js';
import { ApiRequestError, errorMessage } from '../api/api-error.js';
import { ErrorText } from '../components/error-text.js';
import { TextField } from '../components/text-field.js';

interface Pending {
  challenge: ReauthChallenge;
  settle(confirmed: boolean): void;
}

/**
 * "Confirm it's you": trust-changing actions (keys, signing policy, users,
 * roles, two-factor, certificates) need the password again, so a stolen session
 * alone cannot change what the device trusts. The API client calls this dialog
 * when the server answers 403 reauth-required and retries the action once it is
 * confirmed; cancelling fails the action with a clear message.
 */
export function ReauthDialog({ api }: { api: ApiClient }) {
  const [pending, setPending] = useState<Pending | undefined>();
  useEffect(
    () =>
      api.onReauthRequired(
        (challenge) =>
          new Promise<boolean>((resolve) => {
            setPending({
              challenge,
              settle(confirmed) {
                setPending(undefined);
                resolve(confirmed);
              },
            });
          }),
      ),
    [api],
  );
  if (!pending) return null;
  return <ConfirmForm api={api} pending={pending} />;
}

function ConfirmForm({ api, pending }: { api: ApiClient; pending: Pending }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [askCode, setAskCode] = useState(pending.challenge.twoFactor);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    // Modal: the page behind cannot be used until the person confirms or cancels.
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    return () => element?.close();
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api.reauth(password, askCode && code.trim() ? code.trim() : undefined);
      pending.settle(true);
    } catch (failure) {
      if (failure instanceof ApiRequestError && failure.code === 'two-factor-required') setAskCode(true);
      setError(errorMessage(failure));
      setBusy(false);
    }
  }

  return (
    <dialog
      ref={dialog}
      className="reauth-dialog"
      aria-labelledby={titleId}
      onCancel={(event) => {
        // Escape: the same as the Cancel button (the dialog closes through React state).
        event.preventDefault();
        pending.settle(false);
      }}
    >
      <form onSubmit={(event) => void submit(event)}>
        <h2 id={titleId}>Confirm it's you</h2>
        <p className="hint">{pending.challenge.message}</p>
        <TextField label="Password" type="password" autoComplete="current-password" value={password} onValueChange={setPassword} required autoFocus />
        {askCode && (
          <TextField
            label="Two-factor code"
            hint="The 6-digit code from your authenticator app, or a recovery code"
            autoComplete="one-time-code"
            value={code}
            onValueChange={setCode}
            required
          />
        )}
        <ErrorText message={error} />
        <div className="row-actions">
          <button type="submit" className="primary" disabled={busy || password === ''}>
            Confirm
          </button>
          <button type="button" onClick={() => pending.settle(false)} disabled={busy}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
