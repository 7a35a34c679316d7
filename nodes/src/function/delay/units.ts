/** Time conversions of the delay node, with Node-RED's arithmetic on string-typed numbers. */

const MS_PER: Record<string, number> = {
  milliseconds: 1,
  seconds: 1000,
  minutes: 60 * 1000,
  hours: 60 * 60 * 1000,
  days: 24 * 60 * 60 * 1000,
};

/** A delay in milliseconds from a value and its unit; unknown units mean seconds, as in Node-RED. */
export function delayMs(value: number | string, units: string): number {
  return Number(value) * (MS_PER[units] ?? 1000);
}

const RATE_PERIOD_MS: Record<string, number> = {
  second: 1000,
  minute: 60 * 1000,
  hour: 60 * 60 * 1000,
  day: 24 * 60 * 60 * 1000,
};

/** Milliseconds between messages for "rate messages per nbRateUnits rateUnits". */
export function rateIntervalMs(rate: number | string, units: string, nbRateUnits: number | string | undefined): number {
  const period = RATE_PERIOD_MS[units] ?? 1000;
  const multiple = Number(nbRateUnits) > 0 ? Number(nbRateUnits) : 1;
  return (period / Number(rate)) * multiple;
}

/** A numeric msg.delay / msg.rate as Node-RED accepts it (parseFloat), or undefined. */
export function numericOverride(value: unknown): number | undefined {
  const parsed = parseFloat(value as string);
  return Number.isNaN(parsed) ? undefined : parsed;
}
