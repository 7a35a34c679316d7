// One coded catalogue of the reasons an update is refused or rolled back. Each
// code is a different thing for a person to do, so each is its own code.

export const UPDATE_ERRORS = {
  'package-malformed': 'the file is not a LoopEdge update package (or its framing is damaged)',
  'package-corrupt': 'a part of the package failed its authentication check (damaged or tampered with)',
  'package-truncated': 'the package ends before its final chunk (incomplete download)',
  'not-for-this-device': 'the package is encrypted to another device or fleet key',
  'signature-invalid': 'the manifest signature does not verify',
  'key-untrusted': 'the manifest is signed by a key this device does not trust',
  'key-revoked': 'the manifest is signed by a revoked key',
  'key-expired': 'the manifest is signed by an expired key',
  'manifest-invalid': 'the manifest does not have the expected shape',
  'wrong-target': 'the package is for another device model or group',
  downgrade: 'the package is not newer than the running release and is not a signed rollback',
  'version-too-old': 'the running release is older than the package can upgrade from',
  'module-hash-mismatch': 'a module does not match the SHA-256 in the manifest',
  'unsafe-archive': 'a module holds an unsafe entry (path traversal, absolute path, link, device)',
  'insufficient-disk-space': 'the release would not fit on the disk',
  'health-check-failed': 'the new release did not pass its health check; the previous release runs again',
  'update-in-progress': 'another update is being applied',
  'package-too-large': 'the upload is larger than the limit',
} as const;

export type UpdateErrorCode = keyof typeof UPDATE_ERRORS;

export class UpdateError extends Error {
  readonly code: UpdateErrorCode;
  constructor(code: UpdateErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UpdateError';
    this.code = code;
  }
}
