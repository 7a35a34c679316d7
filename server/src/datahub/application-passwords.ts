import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import type { Logger } from '@loopedge/runtime';
import type { PasswordHasher } from '@loopedge/security';
import type { DatahubApplication } from './datahub-settings.js';

/**
 * Application passwords written in plain text in settings.json are hashed
 * (bcrypt) on start and the file is rewritten with `passwordHash` instead, so
 * the plain text is on disk only until the first start. If the file cannot be
 * rewritten, the hash is used in memory and the log says what to do.
 */
export async function hashApplicationPasswords(applications: readonly DatahubApplication[], hasher: PasswordHasher, settingsFile: string, logger: Logger): Promise<DatahubApplication[]> {
  const plain = applications.filter((a) => a.password !== undefined);
  if (plain.length === 0) return [...applications];
  const hashed = new Map<string, string>();
  for (const app of plain) hashed.set(app.username, await hasher.hash(app.password!));
  const result = applications.map((a) => {
    const hash = hashed.get(a.username);
    if (hash === undefined) return a;
    const { password: _plain, ...rest } = a;
    return { ...rest, passwordHash: hash };
  });
  const names = plain.map((a) => a.username);
  try {
    rewriteSettings(settingsFile, hashed);
    logger.warn({ applications: names, file: settingsFile }, 'DataHub: plain-text application passwords in settings.json were replaced by bcrypt hashes ("passwordHash"); to change one, write "password" again');
  } catch (error) {
    logger.warn({ err: error, applications: names, file: settingsFile }, 'DataHub: these application passwords are in plain text in settings.json and the file could not be rewritten with hashes; make it writable or remove the "password" entries and set them again');
  }
  return result;
}

/** Replace `password` by `passwordHash` for the named applications; written to a temp file, then renamed (no half-written settings). */
function rewriteSettings(file: string, hashes: ReadonlyMap<string, string>): void {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { datahub?: { applications?: Array<Record<string, unknown>> } };
  for (const app of doc.datahub?.applications ?? []) {
    const hash = typeof app.username === 'string' ? hashes.get(app.username) : undefined;
    if (hash === undefined) continue;
    delete app.password;
    app.passwordHash = hash;
  }
  const temp = `${file}.tmp-${process.pid}`;
  writeFileSync(temp, `${JSON.stringify(doc, null, 2)}\n`, { mode: statSync(file).mode & 0o777 });
  renameSync(temp, file);
}
