/** Node-RED's typed input types, in its menu order. */
export const TYPED_INPUT_TYPES = ['msg', 'flow', 'global', 'str', 'num', 'bool', 'json', 'bin', 're', 'date', 'jsonata', 'env'] as const;

const TYPE_LABELS: Record<string, string> = {
  msg: 'msg.', flow: 'flow.', global: 'global.', str: 'string', num: 'number', bool: 'boolean', json: 'JSON', bin: 'buffer', re: 'regex', date: 'timestamp', jsonata: 'JSONata', env: 'env variable', prev: 'previous value',
};

export interface TypedInputProps {
  id: string;
  label: string;
  value: string;
  type: string;
  /** Restrict the menu (e.g. msg-property fields offer only msg). */
  types?: readonly string[];
  onChange(value: string, type: string): void;
}

/** A value with its type chosen beside it, stored as two properties as Node-RED does (`x` and `xType`). */
export function TypedInput({ id, label, value, type, types = TYPED_INPUT_TYPES, onChange }: TypedInputProps) {
  const options = types.includes(type) || type === '' ? types : [...types, type];
  return (
    <div className="fe-typed-input" role="group" aria-label={label}>
      {options.length > 1 ? (
        <select aria-label={`${label} type`} value={type} onChange={(e) => onChange(e.target.value === 'bool' && value !== 'false' ? 'true' : value, e.target.value)}>
          {options.map((t) => (
            <option key={t} value={t}>
              {TYPE_LABELS[t] ?? t}
            </option>
          ))}
        </select>
      ) : (
        <span className="fe-typed-prefix">{TYPE_LABELS[options[0] ?? 'msg'] ?? options[0]}</span>
      )}
      {type === 'bool' ? (
        <select id={id} aria-label={label} value={value === 'false' ? 'false' : 'true'} onChange={(e) => onChange(e.target.value, type)}>
          <option value="true">true</option>
          <option value="false">false</option>
        </select>
      ) : type === 'date' ? (
        <input id={id} aria-label={label} value="" disabled placeholder="the time the message is sent" />
      ) : type === 'prev' ? (
        <input id={id} aria-label={label} value="" disabled placeholder="the value the previous message had" />
      ) : (
        <input id={id} aria-label={label} value={value} inputMode={type === 'num' ? 'decimal' : undefined} onChange={(e) => onChange(e.target.value, type)} />
      )}
    </div>
  );
}
