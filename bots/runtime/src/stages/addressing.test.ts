import { describe, expect, it } from 'vitest';
import type { BotInfo } from '../bot.ts';
import type { MatrixEvent } from '../state.ts';
import { address, threadRootOf } from './addressing.ts';

const todo: BotInfo = {
  id: 'todo',
  userId: '@todo:mana.test',
  displayName: 'Todo',
  description: { de: '', en: '' },
};
const ev = (content: Record<string, unknown>): MatrixEvent => ({
  event_id: '$e',
  room_id: '!r',
  type: 'm.room.message',
  sender: '@a:mana.test',
  content: { msgtype: 'm.text', ...content },
});

describe('address', () => {
  it('in a DM everything is for the bot', () => {
    expect(address(todo, ev({ body: 'liste' }), true)).toEqual({ text: 'liste' });
  });

  it('in a group room only a prefix or a mention addresses it', () => {
    expect(address(todo, ev({ body: 'liste' }), false)).toBeUndefined();
    expect(address(todo, ev({ body: 'todo: liste' }), false)).toEqual({ text: 'liste' });
    expect(
      address(todo, ev({ body: 'Todo liste', 'm.mentions': { user_ids: ['@todo:mana.test'] } }), false),
    ).toEqual({ text: 'liste' });
  });

  it('a message in a thread is answered in that thread', () => {
    const inThread = ev({ body: 'todo: liste', 'm.relates_to': { rel_type: 'm.thread', event_id: '$root' } });
    expect(address(todo, inThread, false)).toEqual({ text: 'liste', threadRoot: '$root' });
    expect(threadRootOf({ 'm.relates_to': { 'm.in_reply_to': { event_id: '$x' } } })).toBeUndefined();
  });

  it('a message without a body is not addressed', () => {
    expect(address(todo, ev({ body: 42 }), true)).toBeUndefined();
  });
});
