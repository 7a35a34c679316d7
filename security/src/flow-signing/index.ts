export { flowSetHash, canonicalFlowBytes } from './flow-set-hash.js';
export { signFlowSet, type FlowSignatureMeta } from './sign-flow-set.js';
export { verifyFlowSignature, verifyFlowSignatureWithPublicKey } from './verify-flow-signature.js';
export { generateFlowSigningKeyPair, loadFlowSigningKey } from './signing-keys.js';
export * from './flow-signature-types.js';
