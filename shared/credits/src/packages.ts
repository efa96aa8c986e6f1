/**
 * Credit packages: what a user will be able to buy. Buying goes through a payment provider that is
 * not wired up yet; until then credits come from an operator grant (`POST /grant`). Bots and the web
 * app show the same list, from here.
 */
import { formatCredits } from './catalogue.ts';

export interface CreditPackage {
  id: string;
  name: { de: string; en: string };
  /** Milli-credits the package adds. */
  credits: number;
  /** Price in the smallest unit of `currency` (cents). */
  priceMinor: number;
  currency: 'EUR';
}

export const CREDIT_PACKAGES: readonly Readonly<CreditPackage>[] = Object.freeze([
  { id: 'small', name: { de: 'Klein', en: 'Small' }, credits: 100_000, priceMinor: 199, currency: 'EUR' },
  { id: 'medium', name: { de: 'Mittel', en: 'Medium' }, credits: 600_000, priceMinor: 999, currency: 'EUR' },
  { id: 'large', name: { de: 'Groß', en: 'Large' }, credits: 1_500_000, priceMinor: 1999, currency: 'EUR' },
] as const);

/** How to get credits today, for bots and the web page. */
export const HOW_TO_GET_CREDITS = {
  de: 'Bezahlen ist noch nicht angebunden: Credits gibt es im Moment von einem Betreiber (Gutschrift) oder als Geschenk-Code von anderen.',
  en: 'Payment is not wired up yet: for now credits come from an operator (a grant) or as a gift code from someone else.',
} as const;

/**
 * A package's price for people.
 *
 * @example
 * formatPrice(CREDIT_PACKAGES[0], 'de') // '1,99 €'
 */
export function formatPrice(
  p: Pick<CreditPackage, 'priceMinor' | 'currency'>,
  locale: 'de' | 'en' = 'en',
): string {
  return new Intl.NumberFormat(locale === 'de' ? 'de-DE' : 'en-US', {
    style: 'currency',
    currency: p.currency,
  }).format(p.priceMinor / 100);
}

/** One line per package: `Medium — 600 credits — €9.99`. */
export function describePackage(p: CreditPackage, locale: 'de' | 'en' = 'en'): string {
  return `${p.name[locale]} — ${formatCredits(p.credits, locale)} Credits — ${formatPrice(p, locale)}`;
}
