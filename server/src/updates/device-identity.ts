// Which device this is, for matching a package's target: DATA/device.json
// `{ "model": "le-gw-200", "groups": ["line-1"] }`, written at provisioning.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeviceIdentity } from './update-service.js';

export const DEVICE_FILE = 'device.json';
/** Without a device.json only packages for model "loopedge" (or "*") match. */
export const DEFAULT_MODEL = 'loopedge';

export function readDeviceIdentity(dataDir: string): DeviceIdentity {
  const path = join(dataDir, DEVICE_FILE);
  if (!existsSync(path)) return { model: DEFAULT_MODEL };
  let value: { model?: unknown; groups?: unknown };
  try {
    value = JSON.parse(readFileSync(path, 'utf8')) as { model?: unknown; groups?: unknown };
  } catch (error) {
    throw new Error(`${path} is not JSON (${(error as Error).message}); fix it or remove it.`, { cause: error });
  }
  if (typeof value.model !== 'string' || value.model === '') throw new Error(`${path} needs a "model" string, e.g. {"model": "le-gw-200"}.`);
  return { model: value.model, groups: Array.isArray(value.groups) ? value.groups.filter((g): g is string => typeof g === 'string') : [] };
}
