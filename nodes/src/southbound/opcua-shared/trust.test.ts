import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { isTrustedCertificate, leafCertificate, normalizeThumbprint, thumbprintsOf } from './trust.js';

/** A DER SEQUENCE of `size` content bytes (long form length when size >= 128). */
function derSequence(size: number, fill: number): Buffer {
  const header = size < 128 ? Buffer.from([0x30, size]) : Buffer.from([0x30, 0x82, size >> 8, size & 0xff]);
  return Buffer.concat([header, Buffer.alloc(size, fill)]);
}

describe('server certificate trust', () => {
  test('thumbprints are compared without case or separators', () => {
    assert.equal(normalizeThumbprint('AB:CD ef-01'), 'abcdef01');
  });

  test('the leaf of a chain is its first DER element', () => {
    const leaf = derSequence(300, 1);
    const issuer = derSequence(20, 2);
    assert.deepEqual(leafCertificate(Buffer.concat([leaf, issuer])), leaf);
    assert.deepEqual(leafCertificate(issuer), issuer);
  });

  test('a certificate is trusted by its SHA-1 or SHA-256 thumbprint only', () => {
    const leaf = derSequence(300, 1);
    const chain = Buffer.concat([leaf, derSequence(20, 2)]);
    const sha256 = createHash('sha256').update(leaf).digest('hex');
    const sha1 = createHash('sha1').update(leaf).digest('hex');
    assert.deepEqual(thumbprintsOf(chain), { sha1, sha256 });
    assert.equal(isTrustedCertificate(chain, [sha256.toUpperCase()]), true);
    assert.equal(isTrustedCertificate(chain, [sha1.match(/../g)?.join(':') ?? '']), true);
    assert.equal(isTrustedCertificate(chain, []), false);
    assert.equal(isTrustedCertificate(chain, [createHash('sha256').update(chain).digest('hex')]), false, 'the chain hash is not the leaf thumbprint');
  });
});
