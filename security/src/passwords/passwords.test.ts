import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createPasswordHasher, prehashPassword } from './password-hash.js';
import { createPasswordPolicy } from './password-policy.js';

describe('password hashing', () => {
  test('passwords that differ only after byte 72 do not match (no silent truncation)', async () => {
    const hasher = await createPasswordHasher(10);
    const base = 'x'.repeat(80);
    const hash = await hasher.hash(`${base}-one`);
    assert.equal(await hasher.verify(`${base}-one`, hash), true);
    assert.equal(await hasher.verify(`${base}-two`, hash), false);
    assert.equal(prehashPassword(`${base}-one`).length, 44);
  });

  test('the cost is never below 10, and an unknown user never matches', async () => {
    const hasher = await createPasswordHasher(4);
    const hash = await hasher.hash('some-long-password');
    assert.match(hash, /^v1\$\$2b\$10\$/);
    assert.equal(await hasher.verify('some-long-password', undefined), false);
    assert.equal(await hasher.verify('some-long-password', 'garbage'), false);
  });

  test('the same password gets a different salt each time', async () => {
    const hasher = await createPasswordHasher(10);
    assert.notEqual(await hasher.hash('same-password-here'), await hasher.hash('same-password-here'));
  });
});

describe('password policy', () => {
  const policy = createPasswordPolicy();

  test('accepts long, unusual passphrases', () => {
    for (const password of ['tidal-Orbit-kettle-92', 'correct horse battery staple', 'ü'.repeat(2) + 'Ämber-Fjord-Quill-7']) {
      assert.deepEqual(policy.check(password, 'alice'), { ok: true, reasons: [] }, password);
    }
  });

  test('refuses short, too long, common and username-containing passwords, saying why', () => {
    assert.match(policy.check('Xk9!pQ2#', 'alice').reasons.join(' '), /at least 12/);
    assert.match(policy.check('a'.repeat(129)).reasons.join(' '), /at most 128/);
    assert.match(policy.check('password1234').reasons.join(' '), /Too easy to guess/);
    assert.match(policy.check('qwertyuiop123').reasons.join(' '), /Too easy to guess/);
    assert.match(policy.check('Alice-tidal-Orbit-92', 'alice').reasons.join(' '), /username/);
    assert.equal(policy.check('loopedge2024!').ok, false); // the product name counts as a guessable word
  });

  test('refuses the product name in any spelling, even where the strength estimate would pass it', () => {
    for (const password of ['loopedge2026!!', 'LoopEdge-LoopEdge', 'loopedge-plant-1', 'Loop-Edge-Fjord-Quill-7', 'L00p3dge-Fjord-Quill-7']) {
      assert.match(policy.check(password, 'alice').reasons.join(' '), /product name \(LoopEdge\)/, password);
    }
    // Words that merely share letters with it stay allowed.
    assert.deepEqual(policy.check('loophole-Edgewise-Fjord-7', 'alice'), { ok: true, reasons: [] });
  });
});
