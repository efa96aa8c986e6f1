import { describe, expect, it } from 'vitest';
import { replaceContent } from '../streaming.ts';
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

  it('an edit sent in a thread keeps only its m.replace relation (the thread is the original’s)', () => {
    const edit = replaceContent({ msgtype: 'm.notice', body: 'new' }, '$answer');
    expect(inThread(edit, '$root')['m.relates_to']).toEqual({ rel_type: 'm.replace', event_id: '$answer' });
  });
});
