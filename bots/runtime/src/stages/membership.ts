/**
 * Stage 1, membership: invites (auto-join within the allow-list), which rooms each bot is in, and
 * how many members a room has (a DM has two). Cached in memory, durable in the kv store, kept fresh
 * by member events.
 */
import type { Logger } from '@mana/logging';
import type { BotInfo } from '../bot.ts';
import type { MatrixPort } from '../matrix.ts';
import type { Kv } from '../ports.ts';
import type { MatrixEvent } from '../state.ts';

const MEMBER_TTL_MS = 30_000;

export function isInviteAllowed(sender: string, allow: readonly string[]): boolean {
  if (allow.length === 0) return true;
  const domain = sender.slice(sender.indexOf(':'));
  return allow.some((entry) => entry === sender || (entry.startsWith(':') && entry === domain));
}

export type MemberOutcome = 'joined' | 'refused' | 'updated' | 'ignored';

export interface Membership {
  isMember(bot: BotInfo, roomId: string): Promise<boolean>;
  /** Joined members of the room (cached for 30 s, dropped on any member event). */
  memberCount(bot: BotInfo, roomId: string): Promise<number>;
  /** A member event about `bot`: joins on an allowed invite, records joins and leaves. */
  onMemberEvent(bot: BotInfo, event: MatrixEvent): Promise<MemberOutcome>;
  /** Any member event changes the room's member count. */
  forgetCount(roomId: string): void;
}

export function createMembership(o: {
  matrix: MatrixPort;
  kv: Kv;
  /** Senders matching this (our own bots) never make a bot join. */
  namespace: RegExp;
  inviteAllowList: readonly string[];
  log: Logger;
}): Membership {
  const joinedCache = new Map<string, boolean>();
  const counts = new Map<string, { count: number; at: number }>();

  async function setMembership(bot: BotInfo, roomId: string, joined: boolean): Promise<void> {
    joinedCache.set(`${bot.userId}|${roomId}`, joined);
    await o.kv.set(bot.id, `room:${roomId}`, 'membership', joined ? 'join' : 'leave');
  }

  return {
    async isMember(bot, roomId) {
      const key = `${bot.userId}|${roomId}`;
      const cached = joinedCache.get(key);
      if (cached !== undefined) return cached;
      const stored = await o.kv.get<string>(bot.id, `room:${roomId}`, 'membership');
      const joined =
        stored !== undefined
          ? stored === 'join'
          : await o.matrix
              .joinedMembers(bot.userId, roomId)
              .then((m) => m.includes(bot.userId))
              .catch(() => false);
      joinedCache.set(key, joined);
      return joined;
    },
    async memberCount(bot, roomId) {
      const cached = counts.get(roomId);
      if (cached && Date.now() - cached.at < MEMBER_TTL_MS) return cached.count;
      const members = await o.matrix.joinedMembers(bot.userId, roomId);
      counts.set(roomId, { count: members.length, at: Date.now() });
      return members.length;
    },
    forgetCount(roomId) {
      counts.delete(roomId);
    },
    async onMemberEvent(bot, event) {
      const m = event.content.membership;
      const where = { bot: bot.id, sender: event.sender, roomId: event.room_id };
      if (m === 'invite') {
        if (o.namespace.test(event.sender)) return 'ignored';
        if (!isInviteAllowed(event.sender, o.inviteAllowList)) {
          o.log.info(where, 'invite refused (allow-list)');
          return 'refused';
        }
        await o.matrix.join(bot.userId, event.room_id);
        await setMembership(bot, event.room_id, true);
        o.log.info(where, 'joined on invite');
        return 'joined';
      }
      if (m === 'join') await setMembership(bot, event.room_id, true);
      else if (m === 'leave' || m === 'ban') await setMembership(bot, event.room_id, false);
      return 'updated';
    },
  };
}
