import { isMessageKey, type Translate } from '../../../lib/i18n/translate.js';

/** A CASE adoptionStatus in words (CASE 1.1's Draft, Adopted, Deprecated…); an unknown value as the framework wrote it. */
export function adoptionText(t: Translate, status: string): string {
  const key = `adoption.${status}`;
  return isMessageKey(key) ? t(key) : status;
}
