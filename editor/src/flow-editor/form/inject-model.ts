/**
 * The inject node's properties and schedule, read from and written back in the
 * exact shape Node-RED's editor saves:
 * - props: `[{ p: 'payload' }, { p: 'topic', vt: 'str' }, { p, v, vt }...]`, with the
 *   payload's value in the node's `payload`/`payloadType` and the topic's in `topic`;
 * - schedule: `repeat` (seconds, as a string) or `crontab` in one of Node-RED's
 *   forms ("interval between times", "at a specific time"); any other crontab is
 *   kept as text.
 */
export interface InjectRow {
  p: string;
  v: string;
  vt: string;
}

/** The node properties the props widget reads and writes. */
export interface InjectFields {
  props?: unknown;
  payload?: unknown;
  payloadType?: unknown;
  topic?: unknown;
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The rows the widget shows (legacy nodes without props show payload and topic, as Node-RED does). */
export function injectRowsOf(fields: InjectFields): InjectRow[] {
  const payloadRow = (): InjectRow => ({ p: 'payload', v: text(fields.payload), vt: text(fields.payloadType) || 'date' });
  if (!Array.isArray(fields.props)) return [payloadRow(), { p: 'topic', v: text(fields.topic), vt: 'str' }];
  return fields.props.filter(isRecord).map((prop): InjectRow => {
    const p = text(prop['p']);
    const hasValue = Object.prototype.hasOwnProperty.call(prop, 'v');
    if (p === 'payload' && !hasValue) return payloadRow();
    if (p === 'topic' && prop['vt'] === 'str' && !hasValue) return { p, v: text(fields.topic), vt: 'str' };
    return { p, v: text(prop['v']), vt: text(prop['vt']) || 'str' };
  });
}

/**
 * The node properties for these rows, as Node-RED's editor saves them: payload's
 * value on the node, a string topic on the node, every other row with v/vt.
 * Without a payload row `payload`/`payloadType` are emptied (Node-RED writes "").
 */
export function injectFieldsOf(rows: readonly InjectRow[]): Required<InjectFields> {
  const out: Required<InjectFields> = { props: [], payload: '', payloadType: 'str', topic: '' };
  const props: Array<Record<string, unknown>> = [];
  for (const row of rows) {
    if (row.p === 'payload') {
      props.push({ p: 'payload' });
      out.payload = row.v;
      out.payloadType = row.vt;
    } else if (row.p === 'topic' && row.vt === 'str') {
      props.push({ p: 'topic', vt: 'str' });
      out.topic = row.v;
    } else {
      props.push({ p: row.p, v: row.v, vt: row.vt });
    }
  }
  out.props = props;
  return out;
}

/**
 * Only the properties that differ from the node's: an untouched form changes
 * nothing, so a Node-RED export stays byte-for-byte what it was.
 */
export function changedInjectFields(current: InjectFields, rows: readonly InjectRow[]): Partial<InjectFields> {
  if (JSON.stringify(injectRowsOf(current)) === JSON.stringify(rows)) return {};
  return injectFieldsOf(rows);
}

export const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

export type InjectSchedule =
  | { mode: 'none' }
  | { mode: 'interval'; count: number; unit: 's' | 'm' | 'h' }
  /** Every `minutes` between hour `from` and hour `to`, on these days (0 = Sunday). */
  | { mode: 'interval-time'; minutes: number; from: number; to: number; days: number[] }
  | { mode: 'time'; hour: number; minute: number; days: number[] }
  | { mode: 'cron'; crontab: string };

const ALL_DAYS = [0, 1, 2, 3, 4, 5, 6];
const UNIT_SECONDS = { s: 1, m: 60, h: 3600 } as const;

function parseDays(field: string): number[] | undefined {
  if (field === '*') return ALL_DAYS;
  if (!/^[0-6](,[0-6])*$/.test(field)) return undefined;
  return field.split(',').map(Number);
}

const pad = (n: number): string => String(n).padStart(2, '0');

function daysField(days: readonly number[]): string {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  return sorted.length === 7 || sorted.length === 0 ? '*' : sorted.join(',');
}

/** The schedule shown for a node's `repeat` and `crontab`. */
export function scheduleOf(repeat: unknown, crontab: unknown): InjectSchedule {
  const seconds = Number(repeat);
  if (repeat !== '' && repeat !== undefined && Number.isFinite(seconds) && seconds > 0) {
    const unit = seconds % 3600 === 0 ? 'h' : seconds % 60 === 0 ? 'm' : 's';
    return { mode: 'interval', count: seconds / UNIT_SECONDS[unit], unit };
  }
  const cron = typeof crontab === 'string' ? crontab.trim() : '';
  if (!cron) return { mode: 'none' };
  const fields = cron.split(/\s+/);
  if (fields.length === 5 && fields[2] === '*' && fields[3] === '*') {
    const days = parseDays(fields[4]!);
    const between = /^\*\/(\d+)$/.exec(fields[0]!);
    const hours = /^(\d+)-(\d+)$/.exec(fields[1]!);
    if (days && between && hours) return { mode: 'interval-time', minutes: Number(between[1]), from: Number(hours[1]), to: Number(hours[2]), days };
    if (days && /^\d+$/.test(fields[0]!) && /^\d+$/.test(fields[1]!)) return { mode: 'time', hour: Number(fields[1]), minute: Number(fields[0]), days };
  }
  return { mode: 'cron', crontab: cron };
}

/** `repeat` and `crontab` for a schedule, as Node-RED writes them (repeat "" when not repeating). */
export function scheduleFields(schedule: InjectSchedule): { repeat: string; crontab: string } {
  switch (schedule.mode) {
    case 'none':
      return { repeat: '', crontab: '' };
    case 'interval':
      return { repeat: String(schedule.count * UNIT_SECONDS[schedule.unit]), crontab: '' };
    case 'interval-time':
      return { repeat: '', crontab: `*/${schedule.minutes} ${schedule.from}-${schedule.to} * * ${daysField(schedule.days)}` };
    case 'time':
      // Node-RED builds this from an HH:MM time input, so both keep their leading zero.
      return { repeat: '', crontab: `${pad(schedule.minute)} ${pad(schedule.hour)} * * ${daysField(schedule.days)}` };
    case 'cron':
      return { repeat: '', crontab: schedule.crontab };
  }
}

/** The first schedule of a mode, when the user switches to it. */
export function defaultSchedule(mode: InjectSchedule['mode']): InjectSchedule {
  switch (mode) {
    case 'none':
      return { mode };
    case 'interval':
      return { mode, count: 1, unit: 's' };
    case 'interval-time':
      return { mode, minutes: 1, from: 0, to: 23, days: ALL_DAYS };
    case 'time':
      return { mode, hour: 12, minute: 0, days: ALL_DAYS };
    case 'cron':
      return { mode, crontab: '0 * * * *' };
  }
}
