import { describe, expect, it } from 'vitest';
import { fakeMatrix } from '../testing.ts';
import { startFeedback } from './feedback.ts';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

function run(workMs: number, o: { typingAfterMs: number; progressAfterMs: number }) {
  const matrix = fakeMatrix(new Map());
  const placeholders: string[] = [];
  const fb = startFeedback({
    matrix,
    botUserId: '@todo:x',
    roomId: '!r',
    eventId: '$cmd',
    ...o,
    working: { text: 'working' },
    onPlaceholder: (id) => placeholders.push(id),
  });
  return { matrix, placeholders, fb, done: wait(workMs).then(() => fb.end()) };
}

describe('feedback', () => {
  it('a fast command shows nothing', async () => {
    const { matrix, fb, done } = run(5, { typingAfterMs: 50, progressAfterMs: 80 });
    await done;
    await wait(100);
    expect(matrix.typingLog).toEqual([]);
    expect(matrix.sent).toEqual([]);
    expect(await fb.placeholder()).toBeUndefined();
  });

  it('a slow one shows typing, then a placeholder in reply to the command', async () => {
    const { matrix, fb, done, placeholders } = run(150, { typingAfterMs: 20, progressAfterMs: 60 });
    await done;
    fb.clearTyping();
    expect(matrix.typingLog).toEqual([
      { roomId: '!r', on: true },
      { roomId: '!r', on: false },
    ]);
    const id = await fb.placeholder();
    expect(placeholders).toEqual([id]);
    expect(matrix.sent[0]?.content).toMatchObject({
      body: 'working',
      'm.relates_to': { 'm.in_reply_to': { event_id: '$cmd' } },
    });
  });
});
