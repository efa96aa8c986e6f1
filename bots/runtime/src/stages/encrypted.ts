/**
 * Encrypted messages. With end-to-end encryption on, an `m.room.encrypted` event is decrypted and
 * goes through the same stages as a plain one. One the bots cannot decrypt (its keys have not
 * arrived: the machine asked the sender's devices for them) is tried again after a short wait, and
 * then gets one short notice, never silence. With encryption off, or before the bots' devices are
 * ready, each bot in the room says that it cannot read encrypted messages (and where the web app
 * is), at most once per room every `noticeEveryMs`, so every user learns why.
 */
import { noticeContent } from '../format.ts';
import { pick } from '@mana/i18n';
import type { Kv } from '../ports.ts';
import type { MatrixEvent } from '../state.ts';
import { TEXTS } from '../texts.ts';
import type { HostedBot } from './hosted.ts';
import type { Languages } from './language.ts';
import type { Membership } from './membership.ts';

/** What the stage needs of the runner's E2EE (`crypto/e2ee.ts`). */
export interface Decrypter {
  decrypt(
    event: MatrixEvent,
    userIds: readonly string[],
  ): Promise<
    | { ok: true; event: MatrixEvent }
    | { ok: false; reason: 'unavailable' }
    | { ok: false; reason: 'undecryptable'; error: string }
  >;
}

export const ENCRYPTED_NOTICE_EVERY_MS = 10 * 60_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export function createEncryptedStage(deps: {
  hosted: readonly HostedBot[];
  membership: Membership;
  kv: Kv;
  languages: Languages;
  webUrl: string;
  send: (bot: HostedBot, roomId: string, content: Record<string, unknown>, txnId: string) => Promise<unknown>;
  /** The decrypted event goes here (the dispatcher's `handle`). */
  handle: (event: MatrixEvent) => Promise<'handled' | 'ignored'>;
  e2ee?: Decrypter | undefined;
  /** How long an undecryptable message waits for its keys before the notice. Default 5 s. */
  undecryptableWaitMs?: number | undefined;
  noticeEveryMs?: number;
  now: () => Date;
  log: { warn: (obj: object, msg: string) => void };
}) {
  const every = deps.noticeEveryMs ?? ENCRYPTED_NOTICE_EVERY_MS;

  async function botsIn(roomId: string): Promise<HostedBot[]> {
    const found = [];
    for (const bot of deps.hosted) if (await deps.membership.isMember(bot.info, roomId)) found.push(bot);
    return found;
  }

  /** "I cannot read encrypted messages", at most once per bot and room every `every` ms. */
  async function cannotRead(event: MatrixEvent, bots: readonly HostedBot[]): Promise<'handled' | 'ignored'> {
    let any = false;
    const now = deps.now().getTime();
    for (const bot of bots) {
      const scope = `room:${event.room_id}`;
      const last = await deps.kv.get<number>(bot.info.id, scope, 'e2ee-notice-at');
      if (typeof last === 'number' && now - last < every) continue;
      await deps.kv.set(bot.info.id, scope, 'e2ee-notice-at', now);
      const { lang } = await deps.languages.of(bot.info, event.sender);
      const text = pick(lang, TEXTS.encrypted, { web: deps.webUrl });
      await deps.send(bot, event.room_id, noticeContent({ text }), `${event.event_id}:e2ee`);
      any = true;
    }
    return any ? 'handled' : 'ignored';
  }

  return async function onEncrypted(event: MatrixEvent): Promise<'handled' | 'ignored'> {
    const bots = await botsIn(event.room_id);
    if (bots.length === 0) return 'ignored';
    if (!deps.e2ee) return cannotRead(event, bots);
    const userIds = bots.map((b) => b.info.userId);
    let result = await deps.e2ee.decrypt(event, userIds);
    if (!result.ok && result.reason === 'undecryptable') {
      // The room key may still be on its way (a later transaction, or the answer to our key request).
      await sleep(deps.undecryptableWaitMs ?? 5000);
      result = await deps.e2ee.decrypt(event, userIds);
    }
    if (result.ok) return deps.handle(result.event);
    if (result.reason === 'unavailable') return cannotRead(event, bots);
    deps.log.warn(
      { eventId: event.event_id, roomId: event.room_id, error: result.error },
      'undecryptable message',
    );
    const [bot] = bots;
    if (!bot) return 'ignored';
    const { lang } = await deps.languages.of(bot.info, event.sender);
    await deps.send(
      bot,
      event.room_id,
      noticeContent({ text: pick(lang, TEXTS.undecryptable) }),
      `${event.event_id}:undecryptable`,
    );
    return 'handled';
  };
}
