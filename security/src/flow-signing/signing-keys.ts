// Key files for pipelines: an Ed25519 pair as PEM (PKCS#8 private, SPKI public), the
// same formats `openssl genpkey -algorithm ed25519` writes, and the trust store reads.
import { createPrivateKey, createPublicKey, generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { ed25519Thumbprint } from '../trusted-keys/key-thumbprint.js';
import type { FlowSigningKey } from './flow-signature-types.js';

const generateKeyPairAsync = promisify(generateKeyPair);

export async function generateFlowSigningKeyPair(): Promise<{ privateKeyPem: string; publicKeyPem: string; kid: string }> {
  const { privateKey, publicKey } = await generateKeyPairAsync('ed25519');
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    kid: ed25519Thumbprint(publicKey),
  };
}

/** Throws with what to do when the PEM is not an Ed25519 private key. */
export async function loadFlowSigningKey(privateKeyPem: string): Promise<FlowSigningKey> {
  let privateKey;
  try {
    privateKey = createPrivateKey(privateKeyPem);
  } catch (error) {
    throw new Error(`The flow signing key cannot be read (${(error as Error).message}); give an Ed25519 private key as PKCS#8 PEM ("loopedge keys generate" writes one).`, { cause: error });
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(`The flow signing key is ${privateKey.asymmetricKeyType ?? 'not asymmetric'}, not Ed25519; make one with "loopedge keys generate".`);
  }
  return { privateKey, kid: ed25519Thumbprint(createPublicKey(privateKey)) };
}
