import { createLogger } from '@mana/logging';
import { describe, expect, it } from 'vitest';
import type { BotInfo } from '../bot.ts';
import { memoryKv } from '../memory.ts';
import { fakeMatrix } from '../testing.ts';
import { createMembership, isInviteAllowed } from './membership.ts';

const todo: BotInfo = {
  id: 'todo',
  userId: '@todo:mana.test',
  displayName: 'Todo',
  description: { de: '', en: '' },
};
const invite = (sender: string) => ({
  event_id: '$i',
  room_id: '!r',
  type: 'm.room.member',
  sender,
  state_key: todo.userId,
  content: { membership: 'invite' },
});

function setup(allow: string[] = []) {
  const members = new Map<string, string[]>();
  const matrix = fakeMatrix(members);
  const m = createMembership({
    matrix,
    kv: memoryKv(),
    namespace: /^@(todo|mana):mana\.test$/,
    inviteAllowList: allow,
    log: createLogger({ service: 't', level: 'silent' }),
  });
  return { m, matrix, members };
}

describe('membership', () => {
  it('the allow-list takes users and whole servers', () => {
    expect(isInviteAllowed('@a:x.org', [])).toBe(true);
    expect(isInviteAllowed('@a:x.org', [':x.org'])).toBe(true);
    expect(isInviteAllowed('@a:y.org', [':x.org', '@b:y.org'])).toBe(false);
  });

  it('joins on an allowed invite and remembers it; refuses others; ignores our own bots', async () => {
    const { m, matrix } = setup([':mana.test']);
    expect(await m.onMemberEvent(todo, invite('@evil:elsewhere'))).toBe('refused');
    expect(await m.onMemberEvent(todo, invite('@mana:mana.test'))).toBe('ignored');
    expect(await m.isMember(todo, '!r')).toBe(false);
    expect(await m.onMemberEvent(todo, invite('@alice:mana.test'))).toBe('joined');
    expect(matrix.joins).toEqual(['@todo:mana.test|!r']);
    expect(await m.isMember(todo, '!r')).toBe(true);
    await m.onMemberEvent(todo, { ...invite('@alice:mana.test'), content: { membership: 'leave' } });
    expect(await m.isMember(todo, '!r')).toBe(false);
  });

  it('counts members, cached until a member event', async () => {
    const { m, members } = setup();
    members.set('!r', ['@a:x', todo.userId]);
    expect(await m.memberCount(todo, '!r')).toBe(2);
    members.set('!r', ['@a:x', '@b:x', todo.userId]);
    expect(await m.memberCount(todo, '!r')).toBe(2);
    m.forgetCount('!r');
    expect(await m.memberCount(todo, '!r')).toBe(3);
  });
});
