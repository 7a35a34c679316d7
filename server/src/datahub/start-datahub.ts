import { join } from 'node:path';
import type { Logger } from '@loopedge/runtime';
import { createPasswordHasher } from '@loopedge/security';
import { StartupError } from '../bootstrap/startup-error.js';
import { SETTINGS_FILE } from '../bootstrap/settings.js';
import { parseDatahubSettings, startDatahub, type RunningDatahub } from './datahub-broker.js';
import { hashApplicationPasswords } from './application-passwords.js';

export interface ConfiguredDatahubOptions {
  /** bcrypt cost for application passwords (tests lower it). */
  bcryptCost?: number;
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Start the DataHub when settings.json has a `datahub` section, and return the
 * runtime settings nodes see: the applications' passwords are replaced by the
 * runtime's own connection (`datahub: { url, username, password }`), and
 * `dataDir` is added for store-and-forward queues.
 */
export async function startConfiguredDatahub(runtimeSettings: Readonly<Record<string, unknown>>, dataDir: string, logger: Logger, options: ConfiguredDatahubOptions = {}): Promise<{ datahub: RunningDatahub | undefined; settings: Record<string, unknown> }> {
  const { datahub: raw, ...rest } = runtimeSettings;
  let parsed;
  try {
    parsed = parseDatahubSettings(raw, options.env ?? process.env);
  } catch (error) {
    throw new StartupError('settings-invalid', (error as Error).message);
  }
  if (!parsed) return { datahub: undefined, settings: { ...rest, dataDir } };
  let datahub: RunningDatahub;
  try {
    const hasher = await createPasswordHasher(options.bcryptCost);
    const applications = await hashApplicationPasswords(parsed.applications, hasher, join(dataDir, SETTINGS_FILE), logger);
    datahub = await startDatahub({ ...parsed, applications }, logger, { hasher });
  } catch (error) {
    throw new StartupError('runtime-failed', (error as Error).message);
  }
  return { datahub, settings: { ...rest, dataDir, datahub: datahub.connection } };
}

/**
 * The DataHub's TLS listener, once the security package (device certificate)
 * is open. A listener that cannot start is logged, not fatal: applications on
 * the plain loopback listener keep working.
 */
export async function startDatahubTls(datahub: RunningDatahub | undefined, certificates: Parameters<RunningDatahub['startTls']>[0] | undefined, logger: Logger): Promise<void> {
  if (!datahub?.tlsConfigured) return;
  if (!certificates) {
    logger.warn({}, 'DataHub: "datahub.tlsPort" needs the device certificate, which the admin API provides; start with --port to get the TLS listener');
    return;
  }
  try {
    await datahub.startTls(certificates);
  } catch (error) {
    logger.error({ err: error }, 'DataHub TLS listener did not start; the plain loopback listener still runs');
  }
}
