/**
 * Gift codes: `MANA-XXXX-XXXX-XXXX-XXXX-XXXX`, 20 characters of Crockford base32 (100 random bits).
 * Crockford's alphabet has no I, L, O or U, and reading is forgiving (`o` → 0, `i`/`l` → 1, any
 * case, dashes and spaces ignored), so a code read aloud or typed from a phone still matches.
 * The last group is stored in clear as a hint for lists; the other 80 bits are only ever stored as a
 * SHA-256 hash.
 */

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Characters of randomness in a code (5 bits each). */
export const GIFT_CODE_LENGTH = 20;
const PREFIX = 'MANA';

/** A new code from the platform's CSPRNG (`crypto.getRandomValues`, in Node and browsers). */
export function generateGiftCode(): string {
  const bytes = new Uint8Array(GIFT_CODE_LENGTH);
  globalThis.crypto.getRandomValues(bytes);
  // 256 is a multiple of 32, so `b % 32` is uniform.
  const chars = Array.from(bytes, (b) => ALPHABET[b % 32]).join('');
  return formatGiftCode(chars);
}

/** The 20 canonical characters as `MANA-XXXX-…` */
export function formatGiftCode(canonical: string): string {
  const groups = canonical.match(/.{1,4}/g) ?? [];
  return [PREFIX, ...groups].join('-');
}

/**
 * The 20 canonical characters of what a person typed, or undefined when it cannot be a code.
 *
 * @example
 * normalizeGiftCode('mana-abcd-efgh-jkmn-pqrs-tvwx') // 'ABCDEFGHJKMNPQRSTVWX'
 * normalizeGiftCode('MANA-1234') // undefined
 */
export function normalizeGiftCode(input: string): string | undefined {
  if (input.length > 64) return undefined;
  let s = input.toUpperCase().replace(/[\s-]/g, '');
  if (s.length === PREFIX.length + GIFT_CODE_LENGTH && s.startsWith(PREFIX)) s = s.slice(PREFIX.length);
  s = s.replace(/O/g, '0').replace(/[IL]/g, '1');
  if (s.length !== GIFT_CODE_LENGTH) return undefined;
  for (const ch of s) if (!ALPHABET.includes(ch)) return undefined;
  return s;
}

/** The part of a code shown in lists (`MANA-…-WXYZ`): its last group. */
export function giftCodeHint(canonical: string): string {
  return canonical.slice(-4);
}
