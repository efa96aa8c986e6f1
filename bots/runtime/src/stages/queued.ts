/**
 * A message waiting behind others in its room (the runner answers a room's messages in order):
 * once it has waited `BOT_QUEUED_NOTICE_AFTER_MS`, the bot it is for says where it stands, so 50
 * questions in a burst are not met with silence. Sent once per message (its txn id is derived from
 * the event), in the sender's language, in the message's thread.
 */
import { pick } from '@mana/i18n';
import { noticeContent } from '../format.ts';
import type { MatrixEvent } from '../state.ts';
import { TEXTS } from '../texts.ts';
import { address } from './addressing.ts';
import type { HostedBot } from './hosted.ts';
import type { Languages } from './language.ts';
import { isMediaMessage } from './media.ts';
import { inThread } from './reply.ts';

export function createQueuedNotice(deps: {
  botsIn: (roomId: string) => Promise<{ bot: HostedBot; isDirect: boolean }[]>;
  languages: Languages;
  send: (bot: HostedBot, roomId: string, content: Record<string, unknown>, txnId: string) => Promise<unknown>;
}) {
  return async function queued(event: MatrixEvent, position: number): Promise<void> {
    if (event.type !== 'm.room.message' || typeof event.content !== 'object' || event.content === null)
      return;
    const media = isMediaMessage(event.content);
    for (const { bot, isDirect } of await deps.botsIn(event.room_id)) {
      // The same bots `onMessage` would hand it to: files in a DM, text when addressed.
      if (media && !isDirect) continue;
      const addressed = media ? { text: '' } : address(bot.info, event, isDirect);
      if (!addressed) continue;
      const { lang } = await deps.languages.of(bot.info, event.sender);
      const text = pick(lang, TEXTS.queued, { position });
      await deps.send(
        bot,
        event.room_id,
        inThread(noticeContent({ text }, event.event_id), addressed.threadRoot),
        `${event.event_id}:queued`,
      );
    }
  };
}
