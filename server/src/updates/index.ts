// Over-the-air updates: package format, pack, inspect, apply with rollback.
export { UpdateError, UPDATE_ERRORS, type UpdateErrorCode } from './update-error.js';
export { compareVersions, isVersion } from './version-order.js';
export { parseManifest, UpdateManifestSchema, type UpdateManifest, type ManifestModule } from './manifest.js';
export { encodeEntryHeader, fileSetOfDirectory, unsafePathReason, FileSetUnpacker, type FileSetEntry } from './file-set.js';
export { PACKAGE_MAGIC, DEFAULT_CHUNK_SIZE, type PackageHeader } from './package-format.js';
export { loadOrCreateDeviceKey, keyIdOf, DEVICE_KEY_FILE, type DeviceUpdateKey } from './device-key.js';
export { packUpdate, measureModule, type PackOptions, type PackModule, type ModuleBytes, type ModuleKind } from './pack.js';
export { readVerifiedHeader, streamPayload, type VerifiedPackage } from './read-package.js';
export {
  recoverReleases, linkedRelease, installedRelease, releasesRoot, RELEASES_DIR, type InstalledRelease, type RecoveryOutcome, type UpdateJournal,
} from './release-store.js';
export { processReleaseRunner, type ReleaseRunner, type RunningRelease, type HealthReport, type ProcessRunnerOptions } from './release-runner.js';
export {
  UpdateService, type UpdateServiceOptions, type DeviceIdentity, type ApplyResult, type InspectReport, type UpdateProgress, type UpdatePhase, type CallerInfo,
} from './update-service.js';
export { UpdateJobs, DEFAULT_UPLOAD_LIMIT, type UpdateJob, type UpdateJobState, type UpdateJobsOptions, type UpdateProgressEvent } from './update-jobs.js';
export { readDeviceIdentity, DEVICE_FILE, DEFAULT_MODEL } from './device-identity.js';
