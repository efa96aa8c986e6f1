import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '@mana/i18n';
import { verifyEmailPage } from './html.ts';
import { t } from './i18n.ts';

const count = (haystack: string, needle: string) => haystack.split(needle).length - 1;

describe('verifyEmailPage', () => {
  it.each(LANGUAGES)('says once that the email is confirmed, under a short heading (%s)', (lang) => {
    const page = verifyEmailPage({ lang, path: '/verify-email?token=x', csrf: 'c' }, true);
    expect(count(page, t(lang, 'verified'))).toBe(1);
    expect(page).toContain(`<h1>${t(lang, 'verifiedTitle')}</h1>`);
    expect(t(lang, 'verifiedTitle')).not.toBe(t(lang, 'verified'));
    expect(page).toContain('href="/account"');
  });

  it('a failed link gets the error heading and why', () => {
    const page = verifyEmailPage({ lang: 'en', path: '/verify-email', csrf: 'c' }, false);
    expect(page).toContain(`<h1>${t('en', 'errorTitle')}</h1>`);
    expect(count(page, t('en', 'verifyFailed'))).toBe(1);
  });
});
