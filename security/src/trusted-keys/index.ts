export { createTrustedKeys } from './trusted-keys.js';
export { TrustedKeyError, TRUSTED_KEY_ERROR_STATUS, type TrustedKeyErrorCode } from './trusted-key-error.js';
export { ed25519Thumbprint, parseEd25519PublicKey } from './key-thumbprint.js';
export * from './trusted-key-types.js';
