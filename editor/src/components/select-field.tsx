import { useId } from 'react';

/** A labelled select over string options. */
export function SelectField<V extends string>({ label, value, options, onValueChange, disabled }: { label: string; value: V; options: readonly { value: V; label: string }[]; onValueChange(value: V): void; disabled?: boolean }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} disabled={disabled} onChange={(e) => onValueChange(e.target.value as V)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}
