// The password policy: length first (12 to 128 characters), then a strength
// estimate with dictionaries of common and leaked passwords, names and words
// (@zxcvbn-ts, score >= 3 of 4), and never the username or the product's name
// inside the password (NIST SP 800-63B: context-specific words are refused,
// not only scored: "loopedge2026!!" scores 3, yet it is the first guess an
// attacker who sees the login page makes).
import { createRequire } from 'node:module';
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import type * as ZxcvbnLanguageCommon from '@zxcvbn-ts/language-common';
import type * as ZxcvbnLanguageEnglish from '@zxcvbn-ts/language-en';
import type { PasswordCheck, PasswordPolicyApi } from '../types.js';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 128;
export const MIN_STRENGTH_SCORE = 3;
/** Shorter usernames would forbid too many passwords ("al" is inside many words). */
const MIN_USERNAME_LENGTH_TO_MATCH = 3;
const PRODUCT_NAME = 'loopedge';
/** Look-alike characters read as the letters they stand for ("L00p-3dge" is "loopedge"). */
const LOOK_ALIKES: Record<string, string> = { '0': 'o', '3': 'e', '1': 'l', '!': 'l', '|': 'l', '4': 'a', '@': 'a', '5': 's', $: 's', '7': 't' };

/** The password's letters only, look-alikes read as letters: what "contains the product name" is checked on. */
function lettersOf(password: string): string {
  return [...password.toLowerCase()].map((char) => LOOK_ALIKES[char] ?? char).filter((char) => /\p{L}/u.test(char)).join('');
}

/**
 * The dictionaries hold ~30 MiB of heap for as long as the process lives, and
 * a running device checks a password only when someone sets one: load them on
 * the first check, not at start (idle memory on a small edge box).
 */
function loadEstimator(): ZxcvbnFactory {
  const require = createRequire(import.meta.url);
  const { ZxcvbnFactory: Factory } = require('@zxcvbn-ts/core') as { ZxcvbnFactory: typeof ZxcvbnFactory };
  const common = require('@zxcvbn-ts/language-common') as typeof ZxcvbnLanguageCommon;
  const english = require('@zxcvbn-ts/language-en') as typeof ZxcvbnLanguageEnglish;
  return new Factory({
    dictionary: { ...common.dictionary, ...english.dictionary },
    graphs: common.adjacencyGraphs,
    translations: english.translations,
    maxLength: MAX_PASSWORD_LENGTH,
  });
}

export function createPasswordPolicy(): PasswordPolicyApi {
  let estimator: ZxcvbnFactory | undefined;

  return {
    check(password: string, username?: string): PasswordCheck {
      const reasons: string[] = [];
      const length = [...password].length;
      if (length < MIN_PASSWORD_LENGTH) reasons.push(`Use at least ${MIN_PASSWORD_LENGTH} characters (this has ${length}).`);
      if (length > MAX_PASSWORD_LENGTH) reasons.push(`Use at most ${MAX_PASSWORD_LENGTH} characters (this has ${length}).`);
      const name = username?.trim().toLowerCase() ?? '';
      if (name.length >= MIN_USERNAME_LENGTH_TO_MATCH && password.toLowerCase().includes(name)) {
        reasons.push('Do not include the username in the password.');
      }
      if (lettersOf(password).includes(PRODUCT_NAME)) reasons.push('Do not build the password on the product name (LoopEdge).');
      // Too long: refused above already, and estimating it would only cost time.
      if (length <= MAX_PASSWORD_LENGTH && password.length > 0) {
        estimator ??= loadEstimator();
        const estimate = estimator.check(password, name ? [name, 'loopedge'] : ['loopedge']);
        if (estimate.score < MIN_STRENGTH_SCORE) {
          const hint = [estimate.feedback.warning, ...estimate.feedback.suggestions].filter(Boolean).join(' ');
          reasons.push(`Too easy to guess (strength ${estimate.score} of 4, needs ${MIN_STRENGTH_SCORE}).${hint ? ` ${hint}` : ''} A few unrelated words make a strong, memorable password.`);
        }
      }
      return { ok: reasons.length === 0, reasons };
    },
  };
}
