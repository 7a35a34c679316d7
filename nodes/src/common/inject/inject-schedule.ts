import { Cron } from 'croner';

/**
 * Node-RED's inject `crontab` field, scheduled with croner. Node-RED (cronosjs)
 * accepts 5 fields (minute first), 6 (seconds first) and 7 (seconds first,
 * year last); croner knows 5 and 6, so a 7th year field is checked here.
 * The editor's "interval between times" and "at a specific time" forms are
 * plain 5-field crontabs (`*\/5 8-17 * * 1,2,3`, `30 08 * * *`).
 */
export interface InjectSchedule {
  stop(): void;
}

export class CrontabError extends Error {
  constructor(crontab: string, reason: string) {
    super(`Invalid crontab "${crontab}": ${reason}`);
    this.name = 'CrontabError';
  }
}

/** Throws CrontabError when the crontab cannot be scheduled (checked at start, before any timer runs). */
export function validateCrontab(crontab: string): void {
  scheduleCrontab(crontab, () => undefined, true).stop();
}

export function scheduleCrontab(crontab: string, fire: () => void, paused = false): InjectSchedule {
  const fields = crontab.trim().split(/\s+/);
  let pattern = crontab.trim();
  let yearMatches: (year: number) => boolean = () => true;
  if (fields.length === 7) {
    yearMatches = compileYearField(crontab, fields[6]!);
    pattern = fields.slice(0, 6).join(' ');
  }
  let job: Cron;
  try {
    job = new Cron(pattern, { legacyMode: true, paused }, () => {
      if (yearMatches(new Date().getFullYear())) fire();
    });
  } catch (err) {
    throw new CrontabError(crontab, err instanceof Error ? err.message : String(err));
  }
  return { stop: () => job.stop() };
}

/** The year field of a 7-field crontab: `*`, `2030`, `2030-2035`, `2030,2032`, `*\/2`, `2030-2040/2`. */
function compileYearField(crontab: string, field: string): (year: number) => boolean {
  const checks = field.split(',').map((item) => {
    const match = /^(\*|\d{4}(?:-\d{4})?)(?:\/(\d+))?$/.exec(item);
    if (!match) throw new CrontabError(crontab, `the year field "${field}" is not understood`);
    const step = match[2] ? Number(match[2]) : 1;
    if (step < 1) throw new CrontabError(crontab, `the year step in "${field}" must be at least 1`);
    let from = 1970;
    let to = 9999;
    if (match[1] !== '*') {
      const [a, b] = match[1]!.split('-');
      from = Number(a);
      to = b === undefined ? (match[2] ? 9999 : from) : Number(b);
    }
    return (year: number) => year >= from && year <= to && (year - from) % step === 0;
  });
  return (year) => checks.some((check) => check(year));
}
