/**
 * The ollama bot end to end: the real runner process hosts it against a real Synapse, auth (token
 * exchange, the credits ledger), sync and Redis, with the protocol-faithful fake LLM server on both
 * wire protocols (Ollama `/api/chat` as provider `ollama`, OpenAI-compatible SSE as `hosted`). A person
 * talks to it with matrix-js-sdk; what it was charged is read from the ledger through the credits API.
 */
import { LLM_TOKEN_PRICES } from '@mana/credits';
import { startFakeLlmServer, tokenize, type FakeLlmServer } from '@mana/llm/fake';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  bodyOf,
  chatIn,
  inReplyTo,
  joined,
  matrixApi,
  threadMessage,
  uploadAs,
  type Chat,
  type RawEvent,
} from './support/bots-chat.ts';
import { until, type BotsStack, type StackUser } from './support/bots-stack.ts';
import {
  answerOf as answerIn,
  cutOffCost,
  lastUserText,
  ledgerOf,
  OLLAMA,
  onlyReplyTo,
  relation,
  settlementOf as settlementIn,
  startOllamaChat,
} from './support/ollama.ts';
import { logRunnerOnFailure } from './support/index.ts';

const ANSWER =
  'Sure. Here is a **function**:\n\n```ts\nexport const add = (a: number, b: number) => a + b;\n```\n\nIt adds `a` and `b`.';
/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const COUNTING = Array.from({ length: 400 }, (_, i) => `w${i} `);

let fake: FakeLlmServer;
let stack: BotsStack;
let user: StackUser;
let chat: Chat;

beforeAll(async () => {
  fake = await startFakeLlmServer({
    models: [
      // ~2.5 s of streaming: several edits at the 1 s interval.
      {
        name: 'chat',
        script: { tokens: tokenize(ANSWER), tokenDelayMs: 90, promptTokens: 120, completionTokens: 27 },
      },
      { name: 'slow', script: { tokens: COUNTING, tokenDelayMs: 40 } },
      { name: 'seer', vision: true, script: { tokens: ['Eine ', 'Katze.'] } },
      // Echoes the question in one token: quick answers that say which question they answer.
      { name: 'echo', script: (req) => ({ tokens: [`Antwort auf ${lastUserText(req.messages)}`] }) },
    ],
  });
  ({ stack, user, chat } = await startOllamaChat({
    label: 'e2e_ollama',
    username: 'olga',
    runnerEnv: {
      LLM_OLLAMA_URL: fake.url,
      LLM_BASE_URL: fake.openAiUrl,
      LLM_PROVIDER_NAME: 'hosted',
      LLM_DEFAULT_MODEL: 'ollama/chat',
      BOT_QUEUED_NOTICE_AFTER_MS: '1000',
    },
  }));
}, 180_000);

afterAll(async () => {
  await stack?.close();
  await fake?.close();
});

afterEach(logRunnerOnFailure(() => stack));

const ledger = () => ledgerOf(stack, user);
const settlementOf = (eventId: string) => settlementIn(stack, user, eventId);
const answerOf = (question: string) => answerIn(chat, question);

describe('ollama bot through the real runner', () => {
  it('the answer grows in one message (≤ 1 edit/s), ends as exactly the streamed text, rendered, metered', async () => {
    const question = await chat.send('Schreib eine Funktion, die addiert');
    const done = await until(
      'the complete answer',
      async () => {
        const a = await answerOf(question);
        return a?.body === ANSWER ? a : undefined;
      },
      30_000,
    );
    // It grew: the first message carried the first token(s), then edits.
    expect(bodyOf(done.answer).length).toBeLessThan(ANSWER.length);
    expect(done.edits.length).toBeGreaterThanOrEqual(2);
    const times = [done.answer, ...done.edits].map((e) => e.origin_server_ts);
    for (let i = 2; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(800);
    expect(done.html).toContain('<pre><code class="language-ts">');
    expect(done.html).toContain('<strong>function</strong>');
    // Exactly one message: no placeholder, no second reply.
    expect((await chat.repliesTo(question)).map((e) => e.event_id)).toEqual([done.answer.event_id]);
    // Charged what the provider's counts cost (120 prompt + 27 completion tokens), not the hold.
    const p = LLM_TOKEN_PRICES.local;
    const metered = Math.ceil((120 * p.promptPer1k + 27 * p.completionPer1k) / 1000);
    const s = await until('the settlement', () => settlementOf(question));
    expect(s.settled.map((e) => [e.kind, e.amount])).toEqual([['commit', -metered]]);
    expect(s.reserve.operation).toBe('ai_chat_ollama');
  });

  async function cancelledBy(cancel: (question: string, answer: RawEvent) => Promise<unknown>) {
    expect(bodyOf(await chat.ask('modell ollama/slow'))).toBe('Dein Modell ist jetzt ollama/slow.');
    const question = await chat.send('Zähl bis 400');
    const growing = await until(
      'the answer to grow',
      async () => {
        const a = await answerOf(question);
        return a && a.edits.length >= 1 ? a : undefined;
      },
      30_000,
    );
    await cancel(question, growing.answer);
    const stopped = await until(
      'the answer marked stopped',
      async () => {
        const a = await answerOf(question);
        return a?.body.endsWith('*⏹ abgebrochen*') ? a : undefined;
      },
      30_000,
    );
    const stream = fake.streams.findLast((s) => s.request.model === 'slow')!;
    // The upstream connection was closed: the fake stopped generating long before the end.
    expect(await stream.ended).toBe('client-closed');
    expect(stream.tokensSent).toBeLessThan(COUNTING.length);
    const shown = stopped.body.replace(/\n\n\*⏹ abgebrochen\*$/, '');
    expect(COUNTING.join('').startsWith(shown)).toBe(true);
    const s = await until('the settlement', () => settlementOf(question));
    expect(s.settled.map((e) => [e.kind, e.amount])).toEqual([['commit', -cutOffCost(stream, shown)]]);
    await chat.ask('modell ollama/chat');
  }

  it('"stop" aborts the answer upstream, keeps what was shown marked stopped, charges only what was generated', async () => {
    await cancelledBy((_question) => chat.send('stop'));
  });

  it('❌ on the growing answer does the same', async () => {
    await cancelledBy((_question, answer) =>
      chat.sendEvent('m.reaction', {
        'm.relates_to': { rel_type: 'm.annotation', event_id: answer.event_id, key: '❌' },
      }),
    );
  });

  it('model and mode survive a runner restart; the OpenAI-compatible protocol streams the same way', async () => {
    expect(bodyOf(await chat.ask('modell hosted/chat'))).toBe('Dein Modell ist jetzt hosted/chat.');
    expect(bodyOf(await chat.ask('modus code'))).toBe('Modus: code.');
    expect(await stack.runner.stop()).toBe(0);
    await stack.startRunner();
    const status = bodyOf(await chat.ask('status', 30_000));
    expect(status).toContain('Dein Modell: hosted/chat, Modus: code.');
    expect(status).toContain('hosted (openai): erreichbar');
    // Both providers' models, listed from /api/tags and /v1/models; the user's own marked.
    const list = bodyOf(await chat.ask('modelle', 30_000));
    expect(list).toContain('• hosted/chat ← deins');
    expect(list).toContain('• ollama/chat');
    const question = await chat.send('neu');
    await until('forgotten', async () => (await chat.repliesTo(question))[0]);
    const asked = await chat.send('Noch eine Funktion bitte');
    await until(
      'the complete answer',
      async () => ((await answerOf(asked))?.body === ANSWER ? true : undefined),
      30_000,
    );
    const stream = fake.streams.at(-1)!;
    expect(stream.request.protocol).toBe('openai');
    expect(String(stream.request.messages[0]?.content)).toContain('senior software engineer');
    const s = await until('the settlement', () => settlementOf(asked));
    expect(s.reserve.operation).toBe('ai_chat_remote');
    const p = LLM_TOKEN_PRICES.hosted_small;
    expect(s.settled.map((e) => [e.kind, e.amount])).toEqual([
      ['commit', -Math.ceil((120 * p.promptPer1k + 27 * p.completionPer1k) / 1000)],
    ]);
  }, 120_000);

  it('kill -9 mid-stream: after the restart the answer is marked interrupted, not restarted; the hold is released once', async () => {
    expect(bodyOf(await chat.ask('modell ollama/slow'))).toBe('Dein Modell ist jetzt ollama/slow.');
    const question = await chat.send('Zähl noch einmal');
    await until(
      'the answer to grow',
      async () => {
        const a = await answerOf(question);
        return a && a.edits.length >= 1 ? a : undefined;
      },
      30_000,
    );
    const streamsBefore = fake.streams.length;
    await stack.runner.kill();
    expect(await fake.streams.at(-1)!.ended).toBe('client-closed');
    const shownAtKill = (await answerOf(question))!.body;
    await stack.startRunner();
    const reply = await until(
      'the interrupted notice',
      async () => (await chat.repliesTo(question)).find((e) => bodyOf(e).startsWith('⚠️')),
      60_000,
    );
    expect(bodyOf(reply)).toBe(
      '⚠️ Diese Antwort wurde durch einen Neustart unterbrochen. Frag einfach noch einmal.',
    );
    // The half answer itself is edited: what it showed, then the mark.
    const marked = await until(
      'the half answer marked interrupted',
      async () => {
        const a = await answerOf(question);
        return a?.body.endsWith('*⚠️ unterbrochen (Neustart)*') ? a : undefined;
      },
      30_000,
    );
    expect(marked.body).toBe(`${shownAtKill}\n\n*⚠️ unterbrochen (Neustart)*`);
    expect(COUNTING.join('').startsWith(shownAtKill)).toBe(true);
    // Not silently asked again.
    expect(fake.streams.length).toBe(streamsBefore);
    const s = await until('the settlement', () => settlementOf(question));
    expect(s.settled.map((e) => e.kind)).toEqual(['release']);
    await chat.ask('modell ollama/chat');
  }, 120_000);

  it('an image goes to a vision model by reference (its bytes arrive), "bild" asks again; no vision: a clear reply', async () => {
    expect(bodyOf(await chat.ask('modell ollama/chat'))).toBe('Dein Modell ist jetzt ollama/chat.');
    const mxc = await uploadAs(stack, user, PNG, 'image/png', 'katze.png');
    const image = (body: string) =>
      chat.sendEvent('m.room.message', {
        msgtype: 'm.image',
        body,
        url: mxc,
        info: { mimetype: 'image/png', size: PNG.length, w: 1, h: 1 },
      });
    const blind = await image('katze.png');
    expect(await onlyReplyTo(chat, blind)).toBe(
      'ollama/chat kann keine Bilder ansehen. Wähle ein Modell mit Bildverständnis („modelle“ zeigt sie mit 👁). Es wurde nichts abgebucht.',
    );
    const s = await until('the settlement', () => settlementOf(blind));
    expect(s.settled.map((e) => [e.kind, e.amount])).toEqual([['release', 0]]);

    expect(bodyOf(await chat.ask('modell ollama/seer'))).toBe('Dein Modell ist jetzt ollama/seer.');
    const seen = async (question: string, asked: string) => {
      const a = await until(
        'the answer',
        async () => ((await answerOf(question))?.body === 'Eine Katze.' ? true : undefined),
        30_000,
      );
      const stream = fake.streams.at(-1)!;
      expect(stream.request.model).toBe('seer');
      expect(stream.request.images).toBe(1);
      // The very bytes the person uploaded, fetched by the bot through authenticated media.
      expect(stream.request.messages.at(-1)).toMatchObject({
        role: 'user',
        content: asked,
        images: [PNG.toString('base64')],
      });
      return a;
    };
    await seen(await image('Was ist das?'), 'Was ist das?');
    // A follow-up about the same image: read again by reference to its event.
    await seen(await chat.send('bild Welche Farbe hat sie?'), 'Welche Farbe hat sie?');
    await chat.ask('modell ollama/chat');
  }, 120_000);

  it('in a group room each thread is its own conversation, and the answer streams inside its thread', async () => {
    const mia = await stack.ssoUser('mia');
    const { room_id: roomId } = await matrixApi<{ room_id: string }>(
      stack,
      user.accessToken,
      'POST',
      '/_matrix/client/v3/createRoom',
      { name: 'Gruppe', preset: 'private_chat', invite: [OLLAMA, mia.userId] },
    );
    await matrixApi(
      stack,
      mia.accessToken,
      'POST',
      `/_matrix/client/v3/join/${encodeURIComponent(roomId)}`,
      {},
    );
    await joined(stack, user, roomId, OLLAMA);
    const group = await chatIn(stack, user, OLLAMA, roomId);
    const inThread = (root: string, body: string) =>
      group.sendEvent('m.room.message', threadMessage(root, body));
    const answered = (question: string) =>
      until(
        'the complete answer',
        async () => {
          const a = await answerIn(group, question);
          return a?.body === ANSWER ? a : undefined;
        },
        30_000,
      );
    const userTexts = () =>
      fake.streams
        .at(-1)!
        .request.messages.filter((m) => m.role === 'user')
        .map((m) => m.content);

    const rootA = await group.send('Thema A');
    const rootB = await group.send('Thema B');
    const a1 = await answered(await inThread(rootA, 'ollama: Merk dir: blau'));
    // The growing message is in the thread; its edits replace it (the thread is the original's).
    expect(relation(a1.answer)).toMatchObject({ rel_type: 'm.thread', event_id: rootA });
    expect(a1.edits.length).toBeGreaterThanOrEqual(1);
    for (const e of a1.edits)
      expect(relation(e)).toEqual({ rel_type: 'm.replace', event_id: a1.answer.event_id });
    const thread = await matrixApi<{ chunk: RawEvent[] }>(
      stack,
      user.accessToken,
      'GET',
      `/_matrix/client/v1/rooms/${encodeURIComponent(roomId)}/relations/${encodeURIComponent(rootA)}/m.thread`,
    );
    expect(thread.chunk.map((e) => e.event_id)).toContain(a1.answer.event_id);

    await answered(await inThread(rootB, 'ollama: Welche Farbe?'));
    expect(userTexts()).toEqual(['Welche Farbe?']);
    await answered(await inThread(rootA, 'ollama: Und jetzt?'));
    expect(userTexts()).toEqual(['Merk dir: blau', 'Und jetzt?']);
  }, 120_000);

  it('50 questions in a burst: answered one at a time in order, each waiting one told its place once', async () => {
    expect(bodyOf(await chat.ask('modell ollama/echo'))).toBe('Dein Modell ist jetzt ollama/echo.');
    const streamsBefore = fake.streams.length;
    const questions: string[] = [];
    for (let i = 1; i <= 50; i++) questions.push(await chat.send(`Frage ${i}`));
    const QUEUED =
      /^⏳ In der Warteschlange, Position (\d+): ich beantworte deine Nachrichten hier der Reihe nach\.$/;
    const replies = await until(
      'every question answered',
      async () => {
        const timeline = await chat.timeline();
        const byQuestion = questions.map((q) =>
          timeline.filter((e) => e.sender === OLLAMA && e.type === 'm.room.message' && inReplyTo(e) === q),
        );
        return byQuestion.every((r) => r.some((e) => bodyOf(e).startsWith('Antwort auf')))
          ? { timeline, byQuestion }
          : undefined;
      },
      240_000,
      1000,
    );
    // In order: the provider was asked question after question, and the answers appear in that order.
    const asked = fake.streams.slice(streamsBefore).map((s) => lastUserText(s.request.messages));
    expect(asked).toEqual(questions.map((_, i) => `Frage ${i + 1}`));
    const answers = replies.byQuestion.map((r) => r.filter((e) => bodyOf(e).startsWith('Antwort auf')));
    expect(answers.map((a) => a.length)).toEqual(questions.map(() => 1));
    expect(answers.map((a) => bodyOf(a[0]!))).toEqual(questions.map((_, i) => `Antwort auf Frage ${i + 1}`));
    const at = (e: RawEvent) => replies.timeline.findIndex((x) => x.event_id === e.event_id);
    const order = answers.map((a) => at(a[0]!));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // Queue notices: at most one per question, its place at most the questions sent before it.
    const notices = replies.byQuestion.map((r) => r.filter((e) => QUEUED.test(bodyOf(e))));
    for (const [i, n] of notices.entries()) {
      expect(n.length).toBeLessThanOrEqual(1);
      const position = n[0] ? Number(QUEUED.exec(bodyOf(n[0]))![1]) : undefined;
      if (position !== undefined) {
        expect(position).toBeGreaterThanOrEqual(1);
        expect(position).toBeLessThanOrEqual(i);
      }
    }
    // Nothing but the answer and perhaps the notice for any question.
    expect(replies.byQuestion.every((r, i) => r.length === answers[i]!.length + notices[i]!.length)).toBe(
      true,
    );
    // The first never waited; the last waited behind 49 answers, far longer than the 1 s.
    expect(notices[0]).toEqual([]);
    expect(notices.at(-1)).toHaveLength(1);
    await chat.ask('modell ollama/chat');
  }, 300_000);

  it('provider down: a clear reply, nothing charged', async () => {
    await fake.close();
    const before = (await ledger()).balance;
    const question = await chat.send('Bist du da?');
    const [reply] = await until(
      'the reply',
      async () => {
        const r = await chat.repliesTo(question);
        return r.length ? r : undefined;
      },
      30_000,
    );
    expect(bodyOf(reply!)).toBe(
      'Der KI-Dienst (ollama) ist gerade nicht erreichbar. Es wurde nichts abgebucht.',
    );
    const s = await until('the settlement', () => settlementOf(question));
    expect(s.settled.map((e) => [e.kind, e.amount])).toEqual([['release', 0]]);
    expect((await ledger()).balance).toEqual(before);
  });
});
