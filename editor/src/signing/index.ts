import type { FlowItem } from '@loopedge/flows';
import { signFlowSetWithKey, type DeploySigningMeta } from './flow-jws.js';
import { loadSigningKey } from './key-store.js';

export { nextDeployMeta, signFlowSetWithKey, describePublicKey, ed25519Kid, type DeploySigningMeta, type FlowSignatureHeader, type EditorSigningKey } from './flow-jws.js';
export { loadSigningKey, generateSigningKey, deleteSigningKey, type StoredSigningKey } from './key-store.js';

/**
 * Signs a deploy with this browser's key for `user` (Admin → Signing keys makes
 * it; an admin must approve it before the server accepts its signatures).
 * `meta` is usually nextDeployMeta(GET /api/flows `.signing`).
 */
export async function signDeploy(flows: readonly FlowItem[], meta: DeploySigningMeta, user: string): Promise<string> {
  const key = await loadSigningKey(user);
  if (!key) throw new Error('This browser has no signing key. Generate one under Admin → Signing keys and have an administrator approve it.');
  return signFlowSetWithKey(flows, meta, key);
}

/** Whether this browser holds a signing key for `user`. */
export async function hasSigningKey(user: string): Promise<boolean> {
  return (await loadSigningKey(user)) !== undefined;
}
