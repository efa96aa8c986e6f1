import { describe, expect, it } from 'vitest';
import { inThread, replyContent } from './reply.ts';

describe('replyContent', () => {
  it('a reply to a command: m.notice in reply to it', () => {
    expect(replyContent({ text: 'hi' }, { inReplyTo: '$cmd' })).toMatchObject({
      msgtype: 'm.notice',
      body: 'hi',
      'm.relates_to': { 'm.in_reply_to': { event_id: '$cmd' } },
    });
  });

  it('in a thread: an m.thread relation to the root, replying to the command', () => {
    expect(replyContent({ text: 'hi' }, { inReplyTo: '$cmd', threadRoot: '$root' })['m.relates_to']).toEqual({
      rel_type: 'm.thread',
      event_id: '$root',
      is_falling_back: false,
      'm.in_reply_to': { event_id: '$cmd' },
    });
  });

  it('replacing a placeholder: an m.replace edit', () => {
    const c = replyContent({ text: 'final' }, { inReplyTo: '$cmd', replaces: '$ph' });
    expect(c).toMatchObject({ body: '* final', 'm.new_content': { body: 'final' } });
    expect(c['m.relates_to']).toEqual({ rel_type: 'm.replace', event_id: '$ph' });
  });
});

describe('inThread', () => {
  it('leaves an edit alone: the edited message keeps its own thread relation', () => {
    const edit = {
      msgtype: 'm.notice',
      body: '* 4:50',
      'm.new_content': { msgtype: 'm.notice', body: '4:50' },
      'm.relates_to': { rel_type: 'm.replace', event_id: '$countdown' },
    };
    expect(inThread(edit, '$root')).toEqual(edit);
    expect(inThread({ msgtype: 'm.notice', body: 'new' }, '$root')['m.relates_to']).toMatchObject({
      rel_type: 'm.thread',
      event_id: '$root',
    });
  });
});
