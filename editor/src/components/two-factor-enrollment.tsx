import { useEffect, useState, type FormEvent } from 'react';
import QRCode from 'qrcode';
import { ErrorText } from './error-text.js';
import { TextField } from './text-field.js';
import { useAction } from './use-loader.js';

export interface EnrollmentStart {
  secret: string;
  otpauthUrl: string;
}

type Step = { kind: 'starting' } | { kind: 'scan'; secret: string; qr: string } | { kind: 'codes'; codes: string[] };

/**
 * Two-factor enrollment: QR code (and the key as text) → a code from the app
 * → the recovery codes, shown once. Starts when mounted. Used by the account
 * page and by sign-in when an administrator requires two-factor.
 */
export function TwoFactorEnrollment({ begin, confirm, onDone, doneLabel }: { begin(): Promise<EnrollmentStart>; confirm(code: string): Promise<{ recoveryCodes: string[] }>; onDone(): void; doneLabel: string }) {
  const [step, setStep] = useState<Step>({ kind: 'starting' });
  const [code, setCode] = useState('');
  const action = useAction();

  useEffect(() => {
    let cancelled = false;
    void action.run(async () => {
      const enrollment = await begin();
      // Drawn here from the otpauth URL: the secret goes nowhere but this page and the server.
      const qr = await QRCode.toDataURL(enrollment.otpauthUrl, { margin: 1, width: 200 });
      if (!cancelled) setStep({ kind: 'scan', secret: enrollment.secret, qr });
    });
    return () => {
      cancelled = true;
    };
    // Once per mount: a second begin() would replace the secret the user is scanning.
  }, []);

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    await action.run(async () => {
      const { recoveryCodes } = await confirm(code.trim());
      setStep({ kind: 'codes', codes: recoveryCodes });
    });
  }

  if (step.kind === 'codes') {
    return (
      <div className="card wide" role="region" aria-label="Recovery codes">
        <p>
          <strong>Two-factor sign-in is on.</strong> Save these recovery codes somewhere safe now: each signs you in once if the phone is lost, and they are
          not shown again.
        </p>
        <ul className="codes" aria-label="Recovery code list">
          {step.codes.map((c) => (
            <li key={c}>{c}</li>
          ))}
        </ul>
        <button type="button" className="primary" onClick={onDone}>
          {doneLabel}
        </button>
      </div>
    );
  }
  if (step.kind === 'starting') {
    return (
      <>
        <ErrorText message={action.error} />
        {!action.error && <p role="status">Preparing the QR code…</p>}
      </>
    );
  }
  return (
    <form onSubmit={(e) => void submit(e)} className="narrow-form">
      <p>Scan this code with an authenticator app, then enter the 6-digit code it shows.</p>
      <img src={step.qr} alt="QR code for the authenticator app" width={200} height={200} />
      <p>
        Or type the key by hand: <code data-testid="totp-secret">{step.secret}</code>
      </p>
      <TextField label="Code from the app" value={code} onValueChange={setCode} inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" required />
      <ErrorText message={action.error} />
      <button type="submit" className="primary" disabled={action.busy}>
        Turn on two-factor
      </button>
    </form>
  );
}
