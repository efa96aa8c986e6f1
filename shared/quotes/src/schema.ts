/** The shape of a shipped quote, checked with zod when the package loads. */
import { z } from 'zod';

export const CATEGORY_IDS = [
  'motivation',
  'life',
  'wisdom',
  'humor',
  'love',
  'work',
  'friendship',
  'nature',
  'learning',
  'happiness',
  'courage',
  'time',
  'freedom',
] as const;

export const categoryIdSchema = z.enum(CATEGORY_IDS);
export type CategoryId = z.infer<typeof categoryIdSchema>;

export const quoteInputSchema = z.object({
  text: z.string().min(2).max(600),
  author: z.string().min(2).max(100),
  /** Year the author died: public domain needs it to be more than 70 years ago. */
  authorDied: z.number().int().min(-1000).max(2100),
  /** The work the quote comes from. */
  source: z.string().min(1).max(200).optional(),
  /** Year the source was published (or written, for letters and notebooks). */
  year: z.number().int().min(1000).max(2100).optional(),
  lang: z.enum(['de', 'en']),
  categories: z.array(categoryIdSchema).min(1).max(4),
  license: z.literal('public domain'),
});
export type QuoteInput = z.infer<typeof quoteInputSchema>;

export const quoteSchema = quoteInputSchema.extend({
  /** Stable id derived from author and text (favorites and lists store it). */
  id: z.string().regex(/^q[0-9a-f]{8}$/),
});
export type Quote = z.infer<typeof quoteSchema>;
