/**
 * Reply formatting: Matrix `m.notice` events with a sanitized HTML `formatted_body` and a plain
 * `body`. Bots build HTML with the `html` tag (interpolations are escaped) or return plain text.
 */
import { escapeHtml, isHtml, type Html } from '@mana/html';
import sanitizeHtml from 'sanitize-html';

/** A reply: plain text, optionally with an HTML rendering of the same content. */
export interface Reply {
  text: string;
  html?: string;
}

// The one `html` tag of the monorepo; re-exported so bots keep importing it from the runtime.
export { escapeHtml, html, Html, isHtml, raw, type HtmlValue } from '@mana/html';

/** Tags and attributes Matrix clients render (the spec's recommended subset). */
const ALLOWED_TAGS = [
  'font',
  'del',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'blockquote',
  'p',
  'a',
  'ul',
  'ol',
  'sup',
  'sub',
  'li',
  'b',
  'i',
  'u',
  'strong',
  'em',
  'strike',
  's',
  'code',
  'hr',
  'br',
  'div',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'caption',
  'pre',
  'span',
  'details',
  'summary',
];

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: ALLOWED_TAGS,
  allowedAttributes: {
    font: ['data-mx-bg-color', 'data-mx-color', 'color'],
    span: ['data-mx-bg-color', 'data-mx-color', 'data-mx-spoiler'],
    a: ['href', 'name', 'target'],
    ol: ['start'],
    code: ['class'],
  },
  allowedSchemes: ['http', 'https', 'mailto', 'matrix'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
};

export function sanitize(htmlText: string): string {
  return sanitizeHtml(htmlText, SANITIZE);
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: ' ' };

/** Numbers the items of each (innermost) `<ol>`, honouring `start`, so "done 2" matches the body. */
function numberOrderedLists(htmlText: string): string {
  return htmlText.replace(
    /<ol(\s[^>]*)?>((?:(?!<\/?ol[\s>])[\s\S])*)<\/ol>/gi,
    (_m, attrs: string | undefined, inner: string) => {
      let n = Number(/\bstart\s*=\s*["']?(-?\d+)/i.exec(attrs ?? '')?.[1] ?? 1);
      return `${inner.replace(/<li(\s[^>]*)?>\s*/gi, () => `${n++}. `)}</ol>`;
    },
  );
}

/**
 * A readable plain-text rendering of (sanitized) HTML, for `body`: `<ol>` items keep their numbers.
 * Whitespace follows HTML's rules: a run of it (a template's line breaks and indentation included) is
 * one space, so only tags (`<br>`, block ends) break lines, however the template is laid out.
 */
export function htmlToText(htmlText: string): string {
  return numberOrderedLists(htmlText.replace(/\s+/g, ' '))
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<li[^>]*>\s*/gi, '• ')
    .replace(/<\/(p|div|li|h[1-6]|tr|blockquote|pre|ul|ol|summary)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_, e: string) => ENTITIES[e] ?? '')
    .replace(/ *\n\s*/g, '\n')
    .trim();
}

/** What a command may return: plain text, `html`, or a full `Reply`. */
export type ReplyInput = string | Html | Reply;

export function toReply(input: ReplyInput): Reply {
  if (typeof input === 'string') return { text: input };
  if (isHtml(input)) return { text: htmlToText(input.value), html: input.value };
  return input;
}

/** `reply` with one more paragraph at the end (e.g. a note about the language). */
export function withNote(reply: Reply, note: string): Reply {
  const formatted = reply.html ?? `<p>${escapeHtml(reply.text).replace(/\n/g, '<br>')}</p>`;
  return { text: `${reply.text}\n\n${note}`, html: `${formatted}<p>${escapeHtml(note)}</p>` };
}

export interface NoticeContent {
  msgtype: 'm.notice';
  body: string;
  format?: 'org.matrix.custom.html';
  formatted_body?: string;
  'm.relates_to'?: { 'm.in_reply_to': { event_id: string } };
  'm.mentions'?: { user_ids?: string[] };
  [key: string]: unknown;
}

/** The content of a reply event: `m.notice`, sanitized HTML and plain body, `in_reply_to` the command. */
export function noticeContent(reply: Reply, inReplyTo?: string): NoticeContent {
  // Every reply carries HTML, so clients render plain-text replies (usage lines, errors) the same way
  // as rich ones; plain text is escaped and keeps its line breaks.
  const formatted = reply.html ?? escapeHtml(reply.text).replace(/\n/g, '<br>');
  const content: NoticeContent = {
    msgtype: 'm.notice',
    body: reply.text,
    format: 'org.matrix.custom.html',
    formatted_body: sanitize(formatted),
  };
  if (inReplyTo) content['m.relates_to'] = { 'm.in_reply_to': { event_id: inReplyTo } };
  // Bots never ping anyone by accident.
  content['m.mentions'] = {};
  return content;
}

/** An edit (`m.replace`) of an earlier bot message with new content. */
export function editContent(reply: Reply, originalEventId: string): Record<string, unknown> {
  const fresh = noticeContent(reply);
  delete fresh['m.relates_to'];
  delete fresh['m.mentions'];
  return {
    ...fresh,
    body: `* ${reply.text}`,
    ...(fresh.formatted_body ? { formatted_body: `* ${fresh.formatted_body}` } : {}),
    'm.new_content': fresh,
    'm.relates_to': { rel_type: 'm.replace', event_id: originalEventId },
    'm.mentions': {},
  };
}

export function reactionContent(eventId: string, key: string): Record<string, unknown> {
  return { 'm.relates_to': { rel_type: 'm.annotation', event_id: eventId, key } };
}
