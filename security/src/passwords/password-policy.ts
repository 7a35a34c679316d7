// The password policy: length first (12 to 128 characters), then a strength
// estimate with dictionaries of common and leaked passwords, names and words
// (@zxcvbn-ts, score >= 3 of 4), and never the username inside the password.
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as zxcvbnCommon from '@zxcvbn-ts/language-common';
import * as zxcvbnEnglish from '@zxcvbn-ts/language-en';
import type { PasswordCheck, PasswordPolicyApi } from '../types.js';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 128;
export const MIN_STRENGTH_SCORE = 3;
/** Shorter usernames would forbid too many passwords ("al" is inside many words). */
const MIN_USERNAME_LENGTH_TO_MATCH = 3;

export function createPasswordPolicy(): PasswordPolicyApi {
  const estimator = new ZxcvbnFactory({
    dictionary: { ...zxcvbnCommon.dictionary, ...zxcvbnEnglish.dictionary },
    graphs: zxcvbnCommon.adjacencyGraphs,
    translations: zxcvbnEnglish.translations,
    maxLength: MAX_PASSWORD_LENGTH,
  });

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
      // Too long: refused above already, and estimating it would only cost time.
      if (length <= MAX_PASSWORD_LENGTH && password.length > 0) {
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
