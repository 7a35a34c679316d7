import type { Logger } from '@loopedge/runtime';
import { StartupError } from '../bootstrap/startup-error.js';
import { parseDatahubSettings, startDatahub, type RunningDatahub } from './datahub-broker.js';

/**
 * Start the DataHub when settings.json has a `datahub` section, and return the
 * runtime settings nodes see: the applications' passwords are replaced by the
 * runtime's own connection (`datahub: { url, username, password }`), and
 * `dataDir` is added for store-and-forward queues.
 */
export async function startConfiguredDatahub(runtimeSettings: Readonly<Record<string, unknown>>, dataDir: string, logger: Logger): Promise<{ datahub: RunningDatahub | undefined; settings: Record<string, unknown> }> {
  const { datahub: raw, ...rest } = runtimeSettings;
  let parsed;
  try {
    parsed = parseDatahubSettings(raw);
  } catch (error) {
    throw new StartupError('settings-invalid', (error as Error).message);
  }
  if (!parsed) return { datahub: undefined, settings: { ...rest, dataDir } };
  let datahub: RunningDatahub;
  try {
    datahub = await startDatahub(parsed, logger);
  } catch (error) {
    throw new StartupError('runtime-failed', (error as Error).message);
  }
  return { datahub, settings: { ...rest, dataDir, datahub: datahub.connection } };
}
