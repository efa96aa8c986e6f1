import { describe, expect, it } from 'vitest';
import { parseCredits } from './catalogue.ts';
import { generateGiftCode, giftCodeHint, normalizeGiftCode } from './gift-code.ts';
import { CREDIT_PACKAGES, describePackage, formatPrice } from './packages.ts';

describe('gift codes', () => {
  it('are MANA- and five groups of Crockford base32, all different', () => {
    const codes = new Set(Array.from({ length: 1000 }, () => generateGiftCode()));
    expect(codes.size).toBe(1000);
    for (const c of codes) expect(c).toMatch(/^MANA(-[0-9A-HJKMNP-TV-Z]{4}){5}$/);
  });

  it('read forgivingly: case, spaces, dashes, O/0 and I/L/1, with or without the prefix', () => {
    const canonical = '0123456789ABCDEFGHJK';
    expect(normalizeGiftCode('MANA-0123-4567-89AB-CDEF-GHJK')).toBe(canonical);
    expect(normalizeGiftCode('mana 0123 4567 89ab cdef ghjk')).toBe(canonical);
    expect(normalizeGiftCode('o123-4567-89ab-cdef-ghjk')).toBe(canonical);
    expect(normalizeGiftCode('MANA-0l23-4567-89AB-CDEF-GHJK')).toBe(canonical);
    expect(giftCodeHint(canonical)).toBe('GHJK');
  });

  it('refuses what cannot be a code', () => {
    for (const bad of [
      '',
      'MANA',
      'MANA-1234',
      'MANA-0123-4567-89AB-CDEF-GHJU',
      'x'.repeat(65),
      '0123456789ABCDEFGHJKM',
    ])
      expect(normalizeGiftCode(bad)).toBeUndefined();
  });
});

describe('parseCredits', () => {
  it('reads credits as people type them into milli-credits', () => {
    expect(parseCredits('2')).toBe(2000);
    expect(parseCredits('2.5')).toBe(2500);
    expect(parseCredits('2,5')).toBe(2500);
    expect(parseCredits('0.001')).toBe(1);
  });
  it('refuses negative, finer than a milli-credit, and non-numbers', () => {
    for (const bad of ['-1', '0.0001', '1e3', 'abc', '', '1.', '.5', '1,000.5'])
      expect(parseCredits(bad)).toBeUndefined();
  });
});

describe('packages', () => {
  it('prices in the reader’s locale', () => {
    const small = CREDIT_PACKAGES[0];
    if (!small) throw new Error('no packages');
    expect(formatPrice(small, 'en')).toBe('€1.99');
    expect(formatPrice(small, 'de')).toBe('1,99\u00a0€');
    expect(describePackage(small, 'en')).toBe('Small — 100 Credits — €1.99');
  });
});
