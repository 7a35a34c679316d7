import { useId, type InputHTMLAttributes } from 'react';

type Props = { label: string; value: string; onValueChange(value: string): void; hint?: string } & Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange'>;

/** A labelled input; the hint is tied to it for screen readers. */
export function TextField({ label, value, onValueChange, hint, ...input }: Props) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} value={value} onChange={(e) => onValueChange(e.target.value)} aria-describedby={hint ? id + '-hint' : undefined} {...input} />
      {hint && (
        <small id={id + '-hint'} className="hint">
          {hint}
        </small>
      )}
    </div>
  );
}
