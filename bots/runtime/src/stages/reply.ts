/**
 * Stage 7, rendering the reply: an `m.notice` with sanitized HTML, in reply to the command, in the
 * command's thread when it came from one, or an edit of the placeholder when one was shown.
 */
import { editContent, noticeContent, type Reply } from '../format.ts';

/**
 * `content` sent into `threadRoot`'s thread, if any, keeping the reply it carries. An edit
 * (`m.replace`) is left as it is: an event has one relation, and applying an edit keeps the
 * original's `m.relates_to` (spec, "Applying m.new_content"), so an edited thread message stays in
 * its thread; turning the edit into a thread message would post its `* …` fallback as a new one.
 */
export function inThread(
  content: Record<string, unknown>,
  threadRoot: string | undefined,
): Record<string, unknown> {
  if (!threadRoot) return content;
  const rel = content['m.relates_to'];
  if (typeof rel === 'object' && rel !== null && 'rel_type' in rel && rel.rel_type === 'm.replace')
    return content;
  const irt =
    typeof rel === 'object' && rel !== null && 'm.in_reply_to' in rel ? rel['m.in_reply_to'] : undefined;
  // Clients that know threads show it there; the rest see a reply (to the command, or the root).
  return {
    ...content,
    'm.relates_to': {
      rel_type: 'm.thread',
      event_id: threadRoot,
      is_falling_back: irt === undefined,
      'm.in_reply_to': irt ?? { event_id: threadRoot },
    },
  };
}

export function replyContent(
  reply: Reply,
  o: { inReplyTo?: string | undefined; threadRoot?: string | undefined; replaces?: string | undefined },
): Record<string, unknown> {
  if (o.replaces) return editContent(reply, o.replaces);
  return inThread(noticeContent(reply, o.inReplyTo), o.threadRoot);
}
