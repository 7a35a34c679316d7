// Releases on disk, laid out so that a crash at any instant leaves a release
// that is complete and can run:
//
//   DATA/releases/<version>/        complete releases (manifest.json written last, then renamed in)
//   DATA/releases/.staging-<id>/    a release being unpacked (deleted by recovery)
//   DATA/releases/current           symlink to the running release, switched by rename()
//   DATA/releases/previous          symlink to the release before it, for manual rollback
//   DATA/releases/update-journal.json  which switch is in flight, until its health check passed
//
// rename() of a symlink over another is atomic, so `current` always names
// either the old or the new release, never something in between.
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdir, open, readdir, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseManifest, type UpdateManifest } from './manifest.js';
import { UpdateError } from './update-error.js';

export const RELEASES_DIR = 'releases';
export const RELEASE_MANIFEST = 'manifest.json';
const JOURNAL = 'update-journal.json';
const STAGING_PREFIX = '.staging-';

export interface InstalledRelease {
  version: string;
  dir: string;
  manifest: UpdateManifest;
}

/** The switch in flight: written before `current` moves, removed once the outcome is settled. */
export interface UpdateJournal {
  /** 'switching': current may point to `to`, not yet proven healthy. 'confirmed': `to` passed its health check. */
  phase: 'switching' | 'confirmed';
  from: string | null;
  to: string;
  startedAt: string;
}

export function releasesRoot(dataDir: string): string {
  return join(dataDir, RELEASES_DIR);
}

export async function ensureReleasesRoot(dataDir: string): Promise<string> {
  const root = releasesRoot(dataDir);
  await mkdir(root, { recursive: true, mode: 0o755 });
  return root;
}

/** The release a link (`current`, `previous`) names, if it is there and complete. */
export function linkedRelease(dataDir: string, link: 'current' | 'previous'): InstalledRelease | undefined {
  const root = releasesRoot(dataDir);
  let version: string;
  try {
    version = readlinkSync(join(root, link));
  } catch {
    return undefined;
  }
  return installedRelease(dataDir, version);
}

export function installedRelease(dataDir: string, version: string): InstalledRelease | undefined {
  const dir = join(releasesRoot(dataDir), version);
  const manifestPath = join(dir, RELEASE_MANIFEST);
  if (!existsSync(manifestPath)) return undefined;
  try {
    return { version, dir, manifest: parseManifest(JSON.parse(readFileSync(manifestPath, 'utf8'))) };
  } catch {
    return undefined;
  }
}

export async function newStagingDir(dataDir: string): Promise<string> {
  const root = await ensureReleasesRoot(dataDir);
  const dir = join(root, `${STAGING_PREFIX}${randomBytes(6).toString('hex')}`);
  await mkdir(dir, { mode: 0o755 });
  return dir;
}

/** Makes a staged folder the release `<version>`; a leftover folder of that version (never current) is replaced. */
export async function commitStaging(dataDir: string, stagingDir: string, manifest: UpdateManifest, manifestJws: string): Promise<InstalledRelease> {
  await writeFile(join(stagingDir, 'manifest.jws'), manifestJws, { mode: 0o644 });
  // manifest.json last: a folder without it is never treated as a release.
  await writeFile(join(stagingDir, RELEASE_MANIFEST), JSON.stringify(manifest, null, 2), { mode: 0o644 });
  await syncPath(stagingDir);
  const dir = join(releasesRoot(dataDir), manifest.version);
  if (existsSync(dir)) {
    const aside = join(releasesRoot(dataDir), `${STAGING_PREFIX}old-${randomBytes(4).toString('hex')}`);
    await rename(dir, aside);
    await rm(aside, { recursive: true, force: true });
  }
  await rename(stagingDir, dir);
  await syncPath(releasesRoot(dataDir));
  return { version: manifest.version, dir, manifest };
}

/** Points `link` at `version` atomically: a new symlink beside it, renamed over it. */
export async function switchLink(dataDir: string, link: 'current' | 'previous', version: string | null): Promise<void> {
  const root = releasesRoot(dataDir);
  if (version === null) {
    await rm(join(root, link), { force: true });
  } else {
    const temp = join(root, `.${link}-${randomBytes(4).toString('hex')}`);
    await symlink(version, temp);
    await rename(temp, join(root, link));
  }
  await syncPath(root);
}

export async function writeJournal(dataDir: string, journal: UpdateJournal): Promise<void> {
  const path = join(releasesRoot(dataDir), JOURNAL);
  const temp = `${path}.tmp`;
  const file = await open(temp, 'w', 0o644);
  try {
    await file.writeFile(JSON.stringify(journal));
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temp, path);
  await syncPath(releasesRoot(dataDir));
}

export function readJournal(dataDir: string): UpdateJournal | undefined {
  try {
    return JSON.parse(readFileSync(join(releasesRoot(dataDir), JOURNAL), 'utf8')) as UpdateJournal;
  } catch {
    return undefined;
  }
}

export async function clearJournal(dataDir: string): Promise<void> {
  await rm(join(releasesRoot(dataDir), JOURNAL), { force: true });
  await syncPath(releasesRoot(dataDir));
}

export interface RecoveryOutcome {
  /** 'rolled-back': an unconfirmed switch was undone; 'confirmed': a healthy switch was finished. */
  action: 'none' | 'rolled-back' | 'confirmed';
  current: string | undefined;
  removedStaging: number;
}

/**
 * Run before the runtime starts: undoes whatever an interrupted apply left.
 * A switch whose health check never passed is rolled back (the old release
 * is known to run); staging folders and temporary links are deleted.
 */
export async function recoverReleases(dataDir: string): Promise<RecoveryOutcome> {
  const root = releasesRoot(dataDir);
  if (!existsSync(root)) return { action: 'none', current: undefined, removedStaging: 0 };
  let action: RecoveryOutcome['action'] = 'none';
  const journal = readJournal(dataDir);
  if (journal) {
    if (journal.phase === 'confirmed' && installedRelease(dataDir, journal.to)) {
      await switchLink(dataDir, 'current', journal.to);
      if (journal.from) await switchLink(dataDir, 'previous', journal.from);
      action = 'confirmed';
    } else {
      await switchLink(dataDir, 'current', journal.from && installedRelease(dataDir, journal.from) ? journal.from : null);
      action = 'rolled-back';
    }
    await clearJournal(dataDir);
  }
  let removedStaging = 0;
  for (const name of await readdir(root)) {
    if (name.startsWith(STAGING_PREFIX) || /^\.(current|previous)-/.test(name) || name.endsWith('.tmp')) {
      await rm(join(root, name), { recursive: true, force: true });
      removedStaging++;
    }
  }
  const current = await readlink(join(root, 'current')).catch(() => undefined);
  return { action, current, removedStaging };
}

/** Deletes releases other than the ones named (current and previous stay for manual rollback). */
export async function pruneReleases(dataDir: string, keep: ReadonlyArray<string | null | undefined>): Promise<string[]> {
  const root = releasesRoot(dataDir);
  const removed: string[] = [];
  for (const name of await readdir(root)) {
    if (name.startsWith('.') || name === 'current' || name === 'previous' || name === JOURNAL || name === LOCK || keep.includes(name)) continue;
    if (!installedRelease(dataDir, name) && !existsSync(join(root, name, 'modules'))) continue;
    await rm(join(root, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

async function syncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

const LOCK = 'update.lock';

/**
 * One apply (or recovery) at a time per data folder, across processes (the
 * server and `loopedge update apply` may share it): a lock file holding the
 * owner's pid, created exclusively. A lock whose process is gone (killed
 * mid-apply) is taken over. Returns the release function.
 */
export async function acquireUpdateLock(dataDir: string): Promise<() => Promise<void>> {
  const root = await ensureReleasesRoot(dataDir);
  const path = join(root, LOCK);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o644);
      await handle.writeFile(String(process.pid));
      await handle.close();
      return async () => {
        await rm(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSyncSafe(path));
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && processExists(owner)) {
        throw new UpdateError('update-in-progress', `Process ${owner} is applying an update to ${dataDir}; wait for it to finish.`);
      }
      // Left by a process that died (or an unreadable lock): take it over.
      await rm(path, { force: true });
    }
  }
  throw new UpdateError('update-in-progress', `Could not take the update lock ${path}; another process keeps taking it.`);
}

function readFileSyncSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
