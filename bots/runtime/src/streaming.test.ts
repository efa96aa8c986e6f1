import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MatrixRequestError, type MatrixPort } from './matrix.ts';
import { createStreamingMessage } from './streaming.ts';

interface Sent {
  at: number;
  content: Record<string, unknown>;
}

/** A fake `send` recording when each event was sent; `fail` may throw for a call (1-based). */
function fakeSend(options: { latencyMs?: number; fail?: (call: number) => Error | undefined } = {}) {
  const sent: Sent[] = [];
  let calls = 0;
  const send: MatrixPort['send'] = async (_u, _r, _t, content) => {
    const call = ++calls;
    const err = options.fail?.(call);
    if (err !== undefined) throw err;
    if (options.latencyMs && call > 1) await new Promise((r) => setTimeout(r, options.latencyMs));
    sent.push({ at: Date.now(), content });
    return `$ev${call}`;
  };
  return { matrix: { send }, sent, edits: () => sent.slice(1) };
}

const newBody = (s: Sent) => (s.content['m.new_content'] as { body: string }).body;

describe('streaming message', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('edits at most once per interval, coalescing updates, and the final text lands', async () => {
    const f = fakeSend({ latencyMs: 30 });
    const msg = await createStreamingMessage({
      matrix: f.matrix,
      userId: '@bot:x',
      roomId: '!r:x',
      initial: '…',
      intervalMs: 1000,
      inReplyTo: '$cmd',
    });
    expect(msg.eventId).toBe('$ev1');
    expect(f.sent[0]?.content).toMatchObject({
      msgtype: 'm.notice',
      body: '…',
      'm.relates_to': { 'm.in_reply_to': { event_id: '$cmd' } },
    });
    let text = '';
    for (let i = 0; i < 30; i++) {
      text += `w${i} `;
      msg.update(text);
      await vi.advanceTimersByTimeAsync(100);
    }
    const done = msg.finish(text);
    await vi.runAllTimersAsync();
    await done;
    const edits = f.edits();
    // 3 s of updates at one edit per second: at most ceil(3000 / 1000) + 1 edits.
    expect(edits.length).toBeLessThanOrEqual(4);
    expect(edits.length).toBe(msg.edits);
    const times = f.sent.map((s) => s.at);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1000);
    const last = edits.at(-1)!;
    expect(newBody(last)).toBe(text);
    expect(last.content).toMatchObject({
      body: `* ${text}`,
      'm.relates_to': { rel_type: 'm.replace', event_id: '$ev1' },
      'm.new_content': { msgtype: 'm.notice', body: text },
    });
    expect(last.content['m.new_content']).not.toHaveProperty('m.relates_to');
  });

  it('finish waits for the edit in flight, then sends the final text; the same text is not sent again', async () => {
    const f = fakeSend({ latencyMs: 400 });
    const msg = await createStreamingMessage({
      matrix: f.matrix,
      userId: '@b:x',
      roomId: '!r:x',
      initial: 'a',
      intervalMs: 500,
    });
    msg.update('ab');
    const start = Date.now();
    await vi.advanceTimersByTimeAsync(600); // the 'ab' edit went out at +500 and lands at +900
    expect(f.edits()).toHaveLength(0);
    msg.update('abc');
    const done = msg.finish('abcd');
    await vi.runAllTimersAsync();
    await done;
    expect(f.edits().map(newBody)).toEqual(['ab', 'abcd']);
    expect(f.edits().map((e) => e.at - start)).toEqual([900, 1400]); // +1000 sent, +400 latency

    const g = fakeSend();
    const same = await createStreamingMessage({
      matrix: g.matrix,
      userId: '@b:x',
      roomId: '!r:x',
      initial: 'x',
    });
    same.update('done');
    await vi.advanceTimersByTimeAsync(1000);
    const p = same.finish('done');
    await vi.runAllTimersAsync();
    await p;
    expect(g.edits().map(newBody)).toEqual(['done']);
    same.update('after finish'); // ignored
    await vi.runAllTimersAsync();
    expect(g.sent).toHaveLength(2);
  });

  it('M_LIMIT_EXCEEDED delays edits by retry_after_ms and never drops the final text', async () => {
    const limited = new MatrixRequestError('send', 429, {
      errcode: 'M_LIMIT_EXCEEDED',
      retry_after_ms: 3000,
    });
    // Calls 2 and 4 are rate-limited (the first edit, and the final one).
    const f = fakeSend({ fail: (call) => (call === 2 || call === 4 ? limited : undefined) });
    const errors: unknown[] = [];
    const msg = await createStreamingMessage({
      matrix: f.matrix,
      userId: '@b:x',
      roomId: '!r:x',
      initial: '0',
      intervalMs: 500,
      onError: (e) => errors.push(e),
    });
    const start = Date.now();
    msg.update('1'); // edit at +500 → limited until +3500
    await vi.advanceTimersByTimeAsync(600);
    msg.update('2');
    await vi.advanceTimersByTimeAsync(1000);
    expect(f.edits()).toHaveLength(0); // still waiting out the limit
    await vi.advanceTimersByTimeAsync(2000); // +3600: '2' sent at +3500
    expect(f.edits().map(newBody)).toEqual(['2']);
    expect(f.edits()[0]!.at - start).toBeGreaterThanOrEqual(3500);
    const done = msg.finish('final'); // call 4 limited again, then lands
    await vi.runAllTimersAsync();
    await done;
    expect(f.edits().map(newBody)).toEqual(['2', 'final']);
    expect(f.edits()[1]!.at - f.edits()[0]!.at).toBeGreaterThanOrEqual(3000);
    expect(errors).toHaveLength(1);
  });

  it('a final edit the server refuses for good makes finish throw', async () => {
    const f = fakeSend({
      fail: (call) =>
        call > 1 ? new MatrixRequestError('send', 403, { errcode: 'M_FORBIDDEN' }) : undefined,
    });
    const msg = await createStreamingMessage({
      matrix: f.matrix,
      userId: '@b:x',
      roomId: '!r:x',
      initial: '0',
      intervalMs: 200,
    });
    const done = msg.finish('final').catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    expect(await done).toMatchObject({ errcode: 'M_FORBIDDEN' });
  });
});
