/** Input checks and model-name matching, kept pure for tests. */
import type { ModelInfo } from '@mana/llm';

/** Control characters (other than tab and line breaks) and U+FFFD, the marks of bytes that are not text. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const NOT_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFD]/gu;

/** True for binary garbage pasted or sent as a message. */
export function isGarbage(text: string): boolean {
  const bad = text.match(NOT_TEXT)?.length ?? 0;
  return bad >= 3 || (bad > 0 && bad / [...text].length > 0.02);
}

/**
 * The model a user means: the exact `provider/model`, else the one model whose own name (or name
 * without a `:tag`) is the word. Undefined when none or several fit.
 */
export function findModel(models: readonly ModelInfo[], word: string): ModelInfo | undefined {
  const w = word.trim().toLowerCase();
  const exact = models.find((m) => m.id.toLowerCase() === w);
  if (exact) return exact;
  const byName = models.filter((m) => m.name.toLowerCase() === w || m.name.toLowerCase().split(':')[0] === w);
  return byName.length === 1 ? byName[0] : undefined;
}

/** A file name rather than a caption (Element sends the file name as the body of an image). */
export function isFileName(body: string): boolean {
  return /^[^\s/\\]+\.[a-z0-9]{2,5}$/i.test(body.trim());
}
