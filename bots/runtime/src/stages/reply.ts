/**
 * Stage 7, rendering the reply: an `m.notice` with sanitized HTML, in reply to the command, in the
 * command's thread when it came from one, or an edit of the placeholder when one was shown.
 */
import { editContent, noticeContent, type Reply } from '../format.ts';

export function replyContent(
  reply: Reply,
  o: { inReplyTo?: string | undefined; threadRoot?: string | undefined; replaces?: string | undefined },
): Record<string, unknown> {
  if (o.replaces) return editContent(reply, o.replaces);
  const content: Record<string, unknown> = noticeContent(reply, o.inReplyTo);
  if (o.threadRoot) {
    // A thread reply: clients that know threads show it there; the rest see a reply to the command.
    content['m.relates_to'] = {
      rel_type: 'm.thread',
      event_id: o.threadRoot,
      is_falling_back: !o.inReplyTo,
      'm.in_reply_to': { event_id: o.inReplyTo ?? o.threadRoot },
    };
  }
  return content;
}
