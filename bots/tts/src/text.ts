/**
 * What of a message is read aloud: the words, without markup, link targets, code fences or emoji.
 * Empty when nothing speakable is left (the bot then says so instead of sending silence).
 */

/** Longest text the bot reads (characters, after cleaning). */
export const MAX_CHARS = 500;

export function speakableText(raw: string): string {
  return raw
    .replace(/<[^>]*>/g, ' ') // HTML tags
    .replace(/```[\s\S]*?```/g, ' ') // code blocks
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // [label](url) → label
    .replace(/\bhttps?:\/\/\S+/g, ' ')
    .replace(/&(nbsp|amp|lt|gt|quot|#39);/g, (_, e: string) =>
      e === 'amp' ? '&' : e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'nbsp' ? ' ' : "'",
    )
    .replace(/[*_~`#>|]+/g, ' ') // markdown marks
    .replace(
      /\p{Extended_Pictographic}|\p{Regional_Indicator}|\p{Emoji_Modifier}|\u{FE0F}|\u{200D}|\u{20E3}/gu,
      ' ',
    )
    .replace(/\s+/g, ' ')
    .trim();
}

/** True when there is something to say: a letter or a digit. */
export function hasWords(text: string): boolean {
  return /[\p{L}\p{N}]/u.test(text);
}
