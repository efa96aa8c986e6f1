/**
 * Encrypted messages, until the bots take part in end-to-end encryption: each bot in the room says
 * once per room that it cannot read them (and where the web app is), instead of staying silent.
 */
import { noticeContent } from '../format.ts';
import { pick } from '@mana/i18n';
import type { Kv } from '../ports.ts';
import type { MatrixEvent } from '../state.ts';
import { TEXTS } from '../texts.ts';
import type { HostedBot } from './hosted.ts';
import type { Languages } from './language.ts';
import type { Membership } from './membership.ts';

export function createEncryptedNotice(deps: {
  hosted: readonly HostedBot[];
  membership: Membership;
  kv: Kv;
  languages: Languages;
  webUrl: string;
  send: (bot: HostedBot, roomId: string, content: Record<string, unknown>, txnId: string) => Promise<unknown>;
}) {
  return async function onEncrypted(event: MatrixEvent): Promise<'handled' | 'ignored'> {
    let any = false;
    for (const bot of deps.hosted) {
      if (!(await deps.membership.isMember(bot.info, event.room_id))) continue;
      // Once per bot and room, however many encrypted messages arrive.
      if (!(await deps.kv.setOnce(bot.info.id, `room:${event.room_id}`, 'e2ee-notice', true))) continue;
      const { lang } = await deps.languages.of(bot.info, event.sender);
      const text = pick(lang, TEXTS.encrypted, { web: deps.webUrl });
      await deps.send(bot, event.room_id, noticeContent({ text }), `${event.event_id}:e2ee`);
      any = true;
    }
    return any ? 'handled' : 'ignored';
  };
}
