import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { StartupError } from './startup-error.js';

/** `--data`, else `LOOPEDGE_DATA`, else `~/.loopedge`. */
export function resolveDataDir(fromArgs: string | undefined, env: NodeJS.ProcessEnv): string {
  if (fromArgs) return resolve(fromArgs);
  if (env.LOOPEDGE_DATA) return resolve(env.LOOPEDGE_DATA);
  return join(homedir(), '.loopedge');
}

/**
 * Creates the data folder owner-only (0700): it will hold the context store,
 * credentials and keys. An existing folder is left as the owner set it.
 */
export function ensureDataDir(dir: string): { created: boolean } {
  let existing;
  try {
    existing = statSync(dir);
  } catch {
    existing = undefined;
  }
  if (existing) {
    if (!existing.isDirectory()) {
      throw new StartupError('data-dir-unusable', `Data folder ${dir} exists but is not a folder: remove it or pass --data with another path`);
    }
    return { created: false };
  }
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // mkdir's mode is filtered by the umask; set it exactly.
    chmodSync(dir, 0o700);
  } catch (error) {
    throw new StartupError(
      'data-dir-unusable',
      `Cannot create the data folder ${dir}: ${(error as Error).message}. Pass --data or set LOOPEDGE_DATA to a writable folder`,
      [],
      { cause: error },
    );
  }
  return { created: true };
}
