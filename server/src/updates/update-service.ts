// Applying update packages on a device. `apply` reads as the steps the issue
// names; each refusal is audited with its code and leaves the running release
// exactly as it was:
//   1. decrypt the header, verify the signature and that the key is trusted
//   2. check target, version (no downgrade unless a signed rollback), disk space
//   3. stream the modules into a staging folder, checking every SHA-256
//   4. commit the release folder, journal the switch, switch `current` atomically
//   5. restart on the new release and health-check it; on failure switch back
import { existsSync } from 'node:fs';
import { mkdir, rm, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditApi, TrustedKeysApi } from '@loopedge/security';
import { loadOrCreateDeviceKey, type DeviceUpdateKey } from './device-key.js';
import { FileSetUnpacker } from './file-set.js';
import { readVerifiedHeader, streamPayload, type VerifiedPackage } from './read-package.js';
import {
  acquireUpdateLock, clearJournal, commitStaging, ensureReleasesRoot, linkedRelease, newStagingDir, pruneReleases, recoverReleases, releasesRoot, switchLink, writeJournal,
  type InstalledRelease, type RecoveryOutcome,
} from './release-store.js';
import type { ReleaseRunner, RunningRelease } from './release-runner.js';
import { UpdateError, type UpdateErrorCode } from './update-error.js';
import { compareVersions } from './version-order.js';
import type { UpdateManifest } from './manifest.js';

export interface DeviceIdentity {
  model: string;
  groups?: readonly string[];
}

export type UpdatePhase = 'verifying' | 'staging' | 'switching' | 'health-check' | 'rolling-back' | 'done' | 'failed';

export interface UpdateProgress {
  phase: UpdatePhase;
  bytesDone?: number;
  bytesTotal?: number;
  message?: string;
}

export interface ApplyResult {
  outcome: 'applied' | 'rolled-back';
  from: string | null;
  to: string;
  /** with 'rolled-back': why the new release was not kept */
  code?: UpdateErrorCode;
  reason?: string;
}

export interface InspectReport {
  manifest: UpdateManifest;
  signer: { id: string; name: string; owner: string };
  packageBytes: number;
}

export interface UpdateServiceOptions {
  dataDir: string;
  audit: AuditApi;
  trustedKeys: TrustedKeysApi;
  /** or a function, read at each apply (DATA/device.json may be written after start) */
  device: DeviceIdentity | (() => DeviceIdentity);
  runner: ReleaseRunner;
  /** how long a new release has to become healthy; default 60 s */
  healthDeadlineMs?: number;
  /** disk space to leave free after staging; default 64 MiB */
  reserveBytes?: number;
  /** the version treated as running when no release is installed yet; default 0.0.0 */
  baselineVersion?: string;
  /**
   * Stop the new release once it proved healthy, instead of keeping it running: for a server (or CLI) that is
   * itself the running release, where the service manager restarts into `current`.
   */
  stopAfterHealthCheck?: boolean;
}

export interface CallerInfo {
  actor: string;
  sourceIp?: string;
  onProgress?: (progress: UpdateProgress) => void;
}

export class UpdateService {
  readonly #options: UpdateServiceOptions;
  #deviceKey: DeviceUpdateKey | undefined;
  #running: RunningRelease | undefined;
  #busy = false;

  constructor(options: UpdateServiceOptions) {
    this.#options = options;
  }

  get running(): RunningRelease | undefined {
    return this.#running;
  }

  current(): InstalledRelease | undefined {
    return linkedRelease(this.#options.dataDir, 'current');
  }

  async deviceKey(): Promise<DeviceUpdateKey> {
    return (this.#deviceKey ??= await loadOrCreateDeviceKey(this.#options.dataDir));
  }

  /** Undo what an interrupted apply left (run before starting the runtime), audited when it changed anything. */
  async recover(): Promise<RecoveryOutcome> {
    // A device that never took an update has nothing to recover (and gets no empty releases folder).
    if (!existsSync(releasesRoot(this.#options.dataDir))) return { action: 'none', current: undefined, removedStaging: 0 };
    const release = await acquireUpdateLock(this.#options.dataDir);
    let outcome: RecoveryOutcome;
    try {
      outcome = await recoverReleases(this.#options.dataDir);
    } finally {
      await release();
    }
    if (outcome.action !== 'none') {
      this.#options.audit.append({ actor: 'system', action: 'update.recover', target: outcome.current ?? 'none', outcome: 'success', details: { action: outcome.action } });
    }
    return outcome;
  }

  /** Starts the current release (after recover, on boot). Returns the health report. */
  async startCurrent(): Promise<{ ok: boolean; reason?: string }> {
    const current = this.current();
    if (!current) return { ok: false, reason: 'No release is installed.' };
    const { running, health } = await this.#options.runner.start(current, this.#options.healthDeadlineMs ?? 60_000);
    this.#running = running;
    return health;
  }

  async stop(): Promise<void> {
    await this.#running?.stop();
    this.#running = undefined;
  }

  /** Decrypts and verifies everything (signature, trust, target, version, hashes, archive paths); writes nothing. */
  async inspect(path: string, caller: CallerInfo): Promise<InspectReport> {
    try {
      const pkg = await readVerifiedHeader(path, await this.deviceKey(), this.#options.trustedKeys);
      this.#checkApplicable(pkg.manifest);
      await this.#unpack(path, pkg, undefined, caller);
      this.#audit(caller, 'update.inspect', pkg.manifest.version, 'success', { signer: pkg.signer.id });
      return { manifest: pkg.manifest, signer: { id: pkg.signer.id, name: pkg.signer.name, owner: pkg.signer.owner }, packageBytes: pkg.size };
    } catch (error) {
      this.#auditRefusal(caller, 'update.inspect', error);
      throw error;
    }
  }

  async apply(path: string, caller: CallerInfo): Promise<ApplyResult> {
    if (this.#busy) throw new UpdateError('update-in-progress', 'Another update is being applied; wait for its result.');
    this.#busy = true;
    const progress = caller.onProgress ?? (() => {});
    const { dataDir } = this.#options;
    let stagingDir: string | undefined;
    let unlock: (() => Promise<void>) | undefined;
    try {
      unlock = await acquireUpdateLock(dataDir);
      // 1-2. Verify before anything changes.
      progress({ phase: 'verifying' });
      const pkg = await readVerifiedHeader(path, await this.deviceKey(), this.#options.trustedKeys);
      const from = this.#checkApplicable(pkg.manifest);
      await this.#checkDiskSpace(pkg.manifest);

      // 3. Stage, checking every module's hash as it streams.
      stagingDir = await newStagingDir(dataDir);
      await this.#unpack(path, pkg, stagingDir, caller);

      // 4. Commit and switch.
      progress({ phase: 'switching' });
      const release = await commitStaging(dataDir, stagingDir, pkg.manifest, pkg.manifestJws);
      stagingDir = undefined;
      const result = await this.#switchAndCheck(release, from, caller);
      this.#audit(caller, 'update.apply', release.version, result.outcome === 'applied' ? 'success' : 'failure', {
        from, to: release.version, outcome: result.outcome, signer: pkg.signer.id, ...(result.reason ? { code: result.code, reason: result.reason } : {}),
      });
      progress({ phase: result.outcome === 'applied' ? 'done' : 'failed', message: result.reason });
      return result;
    } catch (error) {
      progress({ phase: 'failed', message: (error as Error).message });
      this.#auditRefusal(caller, 'update.apply', error);
      throw error;
    } finally {
      if (stagingDir) await rm(stagingDir, { recursive: true, force: true });
      await unlock?.();
      this.#busy = false;
    }
  }

  /** Returns the running version (null when none). Throws wrong-target, downgrade, version-too-old. */
  #checkApplicable(manifest: UpdateManifest): string | null {
    const device = typeof this.#options.device === 'function' ? this.#options.device() : this.#options.device;
    const { target } = manifest;
    if (target.model !== '*' && target.model !== device.model) {
      throw new UpdateError('wrong-target', `The package is for device model "${target.model}"; this device is "${device.model}". Nothing was installed.`);
    }
    if (target.group !== undefined && !(device.groups ?? []).includes(target.group)) {
      throw new UpdateError('wrong-target', `The package is for the group "${target.group}"; this device is in ${device.groups?.length ? device.groups.map((g) => `"${g}"`).join(', ') : 'no group'}.`);
    }
    const current = this.current();
    const running = current?.version ?? this.#options.baselineVersion ?? '0.0.0';
    // Even a signed rollback may not replace the folder of the release that is running.
    if (current && compareVersions(manifest.version, current.version) === 0) {
      throw new UpdateError('downgrade', `Release ${manifest.version} is already running. Nothing was installed.`);
    }
    if (compareVersions(manifest.version, running) <= 0 && manifest.rollback !== true) {
      throw new UpdateError('downgrade', `The package holds ${manifest.version}, which is not newer than the running ${running}, and it is not a signed rollback. Nothing was installed.`);
    }
    if (manifest.minFromVersion !== undefined && compareVersions(running, manifest.minFromVersion) < 0) {
      throw new UpdateError('version-too-old', `The package upgrades from ${manifest.minFromVersion} or later; this device runs ${running}. Install an intermediate release first.`);
    }
    return current?.version ?? null;
  }

  async #checkDiskSpace(manifest: UpdateManifest): Promise<void> {
    const root = await ensureReleasesRoot(this.#options.dataDir);
    const stats = await statfs(root);
    const free = Number(stats.bavail) * Number(stats.bsize);
    const needed = manifest.modules.reduce((sum, m) => sum + m.unpackedSize, 0) + (this.#options.reserveBytes ?? 64 * 1024 * 1024);
    if (needed > free) {
      throw new UpdateError('insufficient-disk-space', `The release needs ${formatBytes(needed)} (with the reserve) but only ${formatBytes(free)} is free under ${root}. Free some space and try again.`);
    }
  }

  async #unpack(path: string, pkg: VerifiedPackage, stagingDir: string | undefined, caller: CallerInfo): Promise<void> {
    const unpackers = pkg.manifest.modules.map((m) => new FileSetUnpacker(m.name, stagingDir === undefined ? undefined : join(stagingDir, 'modules', m.name), m.unpackedSize));
    if (stagingDir) {
      for (const m of pkg.manifest.modules) await mkdir(join(stagingDir, 'modules', m.name), { recursive: true, mode: 0o755 });
    }
    try {
      await streamPayload(path, pkg, {
        moduleData: (_m, index, bytes) => (unpackers[index] as FileSetUnpacker).write(bytes),
        moduleEnd: (_m, index) => (unpackers[index] as FileSetUnpacker).finish(),
        progress: (done, total) => caller.onProgress?.({ phase: 'staging', bytesDone: done, bytesTotal: total }),
      });
    } catch (error) {
      for (const unpacker of unpackers) await unpacker.abort();
      throw error;
    }
  }

  async #switchAndCheck(release: InstalledRelease, from: string | null, caller: CallerInfo): Promise<ApplyResult> {
    const { dataDir, runner } = this.#options;
    const progress = caller.onProgress ?? (() => {});
    await writeJournal(dataDir, { phase: 'switching', from, to: release.version, startedAt: new Date().toISOString() });
    await switchLink(dataDir, 'current', release.version);

    // 5. Restart on the new release.
    progress({ phase: 'health-check' });
    await this.#running?.stop();
    this.#running = undefined;
    const { running, health } = await runner.start(release, this.#options.healthDeadlineMs ?? 60_000).catch((error: unknown) => ({
      running: { version: release.version, pid: undefined, stop: async () => {} } satisfies RunningRelease,
      health: { ok: false, reason: `It could not be started: ${(error as Error).message}.` },
    }));
    if (health.ok) {
      if (this.#options.stopAfterHealthCheck) await running.stop();
      else this.#running = running;
      await writeJournal(dataDir, { phase: 'confirmed', from, to: release.version, startedAt: new Date().toISOString() });
      if (from) await switchLink(dataDir, 'previous', from);
      await clearJournal(dataDir);
      await pruneReleases(dataDir, [release.version, from]);
      return { outcome: 'applied', from, to: release.version };
    }

    // Health check failed: back to the release that ran before.
    progress({ phase: 'rolling-back', message: health.reason });
    await running.stop();
    await switchLink(dataDir, 'current', from);
    await clearJournal(dataDir);
    const previous = this.current();
    if (previous && !this.#options.stopAfterHealthCheck) {
      const restarted = await runner.start(previous, this.#options.healthDeadlineMs ?? 60_000);
      this.#running = restarted.running;
    }
    const reason = `Release ${release.version} failed its health check: ${health.reason ?? 'unknown reason'} Switched back to ${from ?? 'no release'}.`;
    this.#options.audit.append({ actor: caller.actor, action: 'update.rollback', target: release.version, outcome: 'success', ...(caller.sourceIp ? { sourceIp: caller.sourceIp } : {}), details: { from: release.version, to: from, reason: health.reason } });
    return { outcome: 'rolled-back', from, to: release.version, code: 'health-check-failed', reason };
  }

  #audit(caller: CallerInfo, action: string, target: string, outcome: 'success' | 'failure', details: Record<string, unknown>): void {
    this.#options.audit.append({ actor: caller.actor, action, target, outcome, ...(caller.sourceIp ? { sourceIp: caller.sourceIp } : {}), details });
  }

  #auditRefusal(caller: CallerInfo, action: string, error: unknown): void {
    const code = error instanceof UpdateError ? error.code : 'internal';
    this.#audit(caller, action, 'package', 'failure', { code, reason: (error as Error).message });
  }
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}
