import { changedInjectFields, DAY_NAMES, defaultSchedule, injectRowsOf, scheduleFields, scheduleOf, type InjectRow, type InjectSchedule } from './inject-model.js';
import { moveBy, removeAt, replaceAt } from './switch-rules-model.js';
import { TypedInput } from './typed-input.js';

export interface InjectWidgetProps {
  id: string;
  draft: Record<string, unknown>;
  set(name: string, value: unknown): void;
}

/** Types an inject property may have (Node-RED's inject offers these). */
const INJECT_TYPES = ['flow', 'global', 'str', 'num', 'bool', 'json', 'bin', 'date', 'jsonata', 'env'] as const;

/** The inject node's message properties: msg.payload, msg.topic and any other, each with a typed value. */
export function InjectPropsWidget({ id, draft, set }: InjectWidgetProps) {
  const rows = injectRowsOf(draft);
  const update = (next: InjectRow[]) => {
    for (const [name, value] of Object.entries(changedInjectFields(draft, next))) set(name, value);
  };
  return (
    <div className="fe-inject-props" id={id} role="group" aria-label="Injected properties">
      {rows.map((row, r) => (
        <div key={r} className="fe-rule-condition" data-prop={r}>
          <span className="fe-typed-prefix">msg.</span>
          <input aria-label={`Property ${r + 1} name`} value={row.p} onChange={(e) => update(replaceAt(rows, r, { ...row, p: e.target.value }))} />
          <TypedInput id={`${id}-${r}`} label={`msg.${row.p || `property ${r + 1}`} value`} value={row.v} type={row.vt} types={INJECT_TYPES} onChange={(v, vt) => update(replaceAt(rows, r, { ...row, v, vt }))} />
          <button type="button" aria-label={`Move property ${r + 1} up`} disabled={r === 0} onClick={() => update(moveBy(rows, r, -1))}>
            ↑
          </button>
          <button type="button" aria-label={`Delete property ${r + 1}`} onClick={() => update(removeAt(rows, r))}>
            ✕
          </button>
        </div>
      ))}
      <button type="button" onClick={() => update([...rows, { p: '', v: '', vt: 'str' }])}>
        + add property
      </button>
    </div>
  );
}

const MODES: Array<[InjectSchedule['mode'], string]> = [
  ['none', 'none'],
  ['interval', 'interval'],
  ['interval-time', 'interval between times'],
  ['time', 'at a specific time'],
  ['cron', 'cron expression'],
];

function clampInt(text: string, min: number, max: number): number {
  const n = Math.floor(Number(text));
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : min;
}

/** "Repeat" as in Node-RED: none, every N s/m/h, every N minutes between hours, at a time; days of the week. */
export function InjectScheduleWidget({ id, draft, set }: InjectWidgetProps) {
  const schedule = scheduleOf(draft['repeat'], draft['crontab']);
  const update = (next: InjectSchedule) => {
    const fields = scheduleFields(next);
    if (fields.repeat !== String(draft['repeat'] ?? '')) set('repeat', fields.repeat);
    if (fields.crontab !== String(draft['crontab'] ?? '')) set('crontab', fields.crontab);
  };
  const days = (current: number[], patch: (days: number[]) => InjectSchedule) => (
    <div role="group" aria-label="On days">
      {DAY_NAMES.map((day, d) => (
        <label key={day}>
          <input type="checkbox" checked={current.includes(d)} onChange={(e) => update(patch(e.target.checked ? [...current, d] : current.filter((x) => x !== d)))} />
          {day}
        </label>
      ))}
    </div>
  );
  return (
    <div className="fe-inject-schedule" role="group" aria-label="Repeat">
      <select id={id} aria-label="Repeat" value={schedule.mode} onChange={(e) => update(defaultSchedule(e.target.value as InjectSchedule['mode']))}>
        {MODES.map(([mode, label]) => (
          <option key={mode} value={mode}>
            {label}
          </option>
        ))}
      </select>
      {schedule.mode === 'interval' && (
        <div>
          <label>
            every{' '}
            {/* Uncontrolled: while a number is being typed ("0.", "") the schedule keeps its last valid interval. */}
            <input
              aria-label="Repeat every"
              inputMode="decimal"
              defaultValue={schedule.count}
              onChange={(e) => {
                const count = Number(e.target.value);
                if (count > 0) update({ ...schedule, count });
              }}
            />
          </label>
          <select aria-label="Repeat unit" value={schedule.unit} onChange={(e) => update({ ...schedule, unit: e.target.value as 's' | 'm' | 'h' })}>
            <option value="s">seconds</option>
            <option value="m">minutes</option>
            <option value="h">hours</option>
          </select>
        </div>
      )}
      {schedule.mode === 'interval-time' && (
        <div>
          <label>
            every <input aria-label="Every minutes" inputMode="numeric" value={schedule.minutes} onChange={(e) => update({ ...schedule, minutes: clampInt(e.target.value, 1, 59) })} /> minutes
          </label>
          <label>
            between <input aria-label="From hour" inputMode="numeric" value={schedule.from} onChange={(e) => update({ ...schedule, from: clampInt(e.target.value, 0, 23) })} />
          </label>
          <label>
            and <input aria-label="To hour" inputMode="numeric" value={schedule.to} onChange={(e) => update({ ...schedule, to: clampInt(e.target.value, 0, 23) })} />
          </label>
          {days(schedule.days, (d) => ({ ...schedule, days: d }))}
        </div>
      )}
      {schedule.mode === 'time' && (
        <div>
          <label>
            at{' '}
            <input
              type="time"
              aria-label="At time"
              value={`${String(schedule.hour).padStart(2, '0')}:${String(schedule.minute).padStart(2, '0')}`}
              onChange={(e) => {
                const [h, m] = e.target.value.split(':');
                update({ ...schedule, hour: clampInt(h ?? '0', 0, 23), minute: clampInt(m ?? '0', 0, 59) });
              }}
            />
          </label>
          {days(schedule.days, (d) => ({ ...schedule, days: d }))}
        </div>
      )}
      {schedule.mode === 'cron' && <input aria-label="Cron expression" value={schedule.crontab} onChange={(e) => update({ mode: 'cron', crontab: e.target.value })} />}
    </div>
  );
}
