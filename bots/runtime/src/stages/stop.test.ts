import { describe, expect, it } from 'vitest';
import type { MatrixEvent } from '../state.ts';
import { isStopWord, mayStop } from './stop.ts';

const message = (body: unknown): MatrixEvent => ({
  type: 'm.room.message',
  event_id: '$e',
  room_id: '!r',
  sender: '@a:x',
  content: { msgtype: 'm.text', body },
});

describe('stop words', () => {
  it('one stop word, in either language, with or without a command marker', () => {
    for (const w of ['stop', 'Stopp', ' abbrechen ', '!cancel', '/STOP']) expect(isStopWord(w)).toBe(true);
    for (const w of ['stop now', 'stopwatch', 'halt', '']) expect(isStopWord(w)).toBe(false);
  });

  it('mayStop looks at the last word only (a mention pill or prefix may come first), no I/O', () => {
    expect(mayStop(message('@ollama: stop'))).toBe(true);
    expect(mayStop(message('ollama stopp'))).toBe(true);
    expect(mayStop(message('please do not stop me now'))).toBe(false);
    expect(mayStop(message(`${'x'.repeat(90)} stop`))).toBe(false); // too long to be a stop
    expect(mayStop(message(42))).toBe(false);
    expect(mayStop({ ...message('stop'), type: 'm.reaction' })).toBe(false);
  });
});
