/**
 * An answer's Markdown as Matrix HTML: markdown-it (raw HTML in the answer is escaped, never passed
 * on), then the runtime's sanitizer (the Matrix tag subset). Code blocks keep their language as
 * `class="language-…"`, which Element highlights.
 */
import { sanitize, type Reply } from '@mana/bot-runtime';
import MarkdownIt from 'markdown-it';

const md = new MarkdownIt({ html: false, linkify: true, breaks: true });

export function renderMarkdown(text: string): Reply {
  return { text, html: sanitize(md.render(text)).trim() };
}
