import { createTestHarness, textEvent as textEventOf } from '@mana/bot-runtime/testing';
import { getCreditCost, LLM_TOKEN_PRICES } from '@mana/credits';
import { createLlmRegistry, createOllamaProvider, createOpenAiProvider, type LlmRegistry } from '@mana/llm';
import { startFakeLlmServer, tokenize, type FakeLlmServer, type FakeModel } from '@mana/llm/fake';
import { afterEach, describe, expect, it } from 'vitest';
import { createOllamaBot } from './bot.ts';
import type { OllamaBotConfig } from './config.ts';
import { meteredCost } from './pricing.ts';

const alice = '@alice:mana.test';
const dm = '!dm:mana.test';
const BOT = '@ollama:mana.test';

const config: OllamaBotConfig = {
  maxTokens: 512,
  memoryTokens: 2000,
  maxConcurrentPerUser: 1,
  maxQueuedPerUser: 5,
  editIntervalMs: 100,
  largeModels: [],
};

const ANSWER = 'Here is code:\n\n```ts\nconst x = 1;\n```\n\nDone.';
const models: FakeModel[] = [
  {
    name: 'chat',
    script: { tokens: tokenize(ANSWER), tokenDelayMs: 5, promptTokens: 50, completionTokens: 9 },
  },
  {
    name: 'slow',
    script: {
      tokens: tokenize('one two three four five six seven eight nine ten '.repeat(10)),
      tokenDelayMs: 30,
    },
  },
  { name: 'seer', vision: true, script: { tokens: ['A ', 'cat.'] } },
  { name: 'tiny', contextLength: 20, script: { tokens: ['ok'] } },
  {
    name: 'broken',
    script: { tokens: ['Half ', 'an ', 'answer'], errorAfter: 2, errorMessage: 'GPU fell over' },
  },
];

let fake: FakeLlmServer;
afterEach(async () => fake?.close());

async function setup(o: { credits?: number; registry?: (f: FakeLlmServer) => LlmRegistry } = {}) {
  fake = await startFakeLlmServer({ models });
  const llm =
    o.registry?.(fake) ??
    createLlmRegistry({
      providers: [createOllamaProvider({ baseUrl: fake.url })],
      defaultModel: 'ollama/chat',
    });
  const h = createTestHarness({
    bots: [createOllamaBot({ llm, config })],
    linked: [alice],
    costs: {
      ai_chat_ollama: getCreditCost('ai_chat_ollama'),
      ai_chat_remote: getCreditCost('ai_chat_remote'),
    },
  });
  h.members.set(dm, [alice, BOT]);
  h.credits.grant(alice, o.credits ?? 10_000);
  await h.ask(alice, dm, 'sprache de');
  h.matrix.sent.length = 0;
  return h;
}

type H = Awaited<ReturnType<typeof setup>>;
const botMessages = (h: H) => h.matrix.sent.filter((e) => e.type === 'm.room.message' && e.userId === BOT);
const originals = (h: H) =>
  botMessages(h).filter(
    (e) => (e.content['m.relates_to'] as { rel_type?: string } | undefined)?.rel_type !== 'm.replace',
  );
/** The newest text of a message (its last edit, or itself). */
const latest = (h: H, eventId: string) => {
  const edits = botMessages(h).filter(
    (e) =>
      (e.content['m.relates_to'] as { event_id?: string } | undefined)?.event_id === eventId &&
      (e.content['m.relates_to'] as { rel_type?: string }).rel_type === 'm.replace',
  );
  const last = edits.at(-1);
  const content = last
    ? (last.content['m.new_content'] as Record<string, unknown>)
    : h.matrix.sent.find((e) => e.eventId === eventId)?.content;
  return { body: String(content?.body), html: String(content?.formatted_body), edits: edits.length };
};

describe('ollama bot', () => {
  it('a question streams into one message, rendered from Markdown, and is charged by its tokens', async () => {
    const h = await setup();
    const replies = await h.say(alice, dm, 'Show me code');
    const [answer, ...others] = originals(h);
    expect(others).toEqual([]);
    expect(replies.filter((e) => e.eventId === answer?.eventId)).toHaveLength(1);
    const shown = latest(h, answer!.eventId);
    expect(shown.body).toBe(ANSWER);
    expect(shown.html).toContain('<pre><code class="language-ts">const x = 1;');
    // The first message carries the first token, not a placeholder.
    expect(String(answer!.content.body)).toBe('Here ');
    // 50 prompt and 9 completion tokens (the fake's counts) at the local price.
    const cost = meteredCost({ promptTokens: 50, completionTokens: 9 }, LLM_TOKEN_PRICES.local);
    expect(h.credits.commits).toEqual([
      expect.objectContaining({ operation: 'ai_chat_ollama', amount: cost }),
    ]);
    expect(h.credits.balanceOf(alice)).toEqual({ balance: 10_000 - cost, held: 0, available: 10_000 - cost });
    // The turn is in the chat app, for the next question and the web app.
    const rows = h.stores.rows(alice, 'chat', 'messages');
    expect(rows.map((r) => [r.role, r.content, r.status ?? null])).toEqual(
      expect.arrayContaining([
        ['user', 'Show me code', null],
        ['assistant', ANSWER, 'complete'],
      ]),
    );
  });

  it('the conversation goes with the next question; "new" forgets it', async () => {
    const h = await setup();
    await h.say(alice, dm, 'first question');
    await h.say(alice, dm, 'second question');
    const second = fake.streams[1]!.request.messages.map((m) => [m.role, m.content]);
    expect(second).toEqual([
      ['system', expect.any(String)],
      ['user', 'first question'],
      ['assistant', ANSWER],
      ['user', 'second question'],
    ]);
    expect(await h.ask(alice, dm, 'neu')).toEqual(['🧹 Vergessen (4 Nachrichten). Wir fangen neu an.']);
    await h.say(alice, dm, 'third');
    expect(fake.streams[2]!.request.messages.map((m) => m.role)).toEqual(['system', 'user']);
  });

  it('model and mode are stored per user in the chat app and used', async () => {
    const h = await setup();
    expect(await h.ask(alice, dm, 'modell seer')).toEqual(['Dein Modell ist jetzt ollama/seer.']);
    expect(await h.ask(alice, dm, 'modus code')).toEqual(['Modus: code.']);
    expect(await h.ask(alice, dm, 'modus poesie')).toEqual([
      'Den Modus „poesie“ gibt es nicht. Möglich: default, summarize, translate, code, classify.',
    ]);
    expect(await h.ask(alice, dm, 'modell nope')).toEqual([
      'Das Modell „nope“ kenne ich nicht. „modelle“ zeigt die verfügbaren.',
    ]);
    expect(h.stores.rows(alice, 'chat', 'preferences')).toEqual([
      { id: 'user', model: 'ollama/seer', mode: 'code' },
    ]);
    await h.say(alice, dm, 'hello');
    expect(fake.streams[0]!.request.model).toBe('seer');
    expect(fake.streams[0]!.request.messages[0]!.content).toContain('senior software engineer');
    const [list] = await h.ask(alice, dm, 'modelle');
    expect(list).toContain('• ollama/seer ← deins');
    expect(list).toContain('• ollama/chat');
  });

  it('too few credits: the insufficient-credits reply, and the provider is never asked', async () => {
    const h = await setup({ credits: 10 });
    const [reply] = await h.ask(alice, dm, 'hello');
    expect(reply).toMatch(/credits|Credits/);
    expect(fake.streams).toHaveLength(0);
    expect(h.credits.commits).toHaveLength(0);
  });

  it('provider down: a clear reply, nothing charged', async () => {
    const h = await setup({
      registry: () =>
        createLlmRegistry({
          providers: [createOllamaProvider({ baseUrl: 'http://127.0.0.1:9' })],
          defaultModel: 'ollama/chat',
        }),
    });
    expect(await h.ask(alice, dm, 'hello')).toEqual([
      'Der KI-Dienst (ollama) ist gerade nicht erreichbar. Es wurde nichts abgebucht.',
    ]);
    expect(h.credits.commits).toHaveLength(0);
    expect(h.credits.balanceOf(alice)).toEqual({ balance: 10_000, held: 0, available: 10_000 });
    expect(h.stores.rows(alice, 'chat', 'messages')).toEqual([]);
  });

  it('a provider slow to its first token: a clear reply, nothing charged, the request closed', async () => {
    let port = 0;
    const h = await setup({
      registry: (f) => {
        port = f.port;
        return createLlmRegistry({
          providers: [createOllamaProvider({ baseUrl: f.url, firstTokenTimeoutMs: 100 })],
          defaultModel: 'ollama/late',
        });
      },
    });
    await fake.close();
    fake = await startFakeLlmServer({
      port,
      models: [{ name: 'late', script: { tokens: ['too late'], firstTokenDelayMs: 2000 } }],
    });
    expect(await h.ask(alice, dm, 'hallo?')).toEqual([
      'ollama/late hat nicht rechtzeitig angefangen zu antworten. Es wurde nichts abgebucht.',
    ]);
    expect(await fake.streams[0]!.ended).toBe('client-closed');
    expect(h.credits.commits).toHaveLength(0);
    expect(h.credits.balanceOf(alice).held).toBe(0);
  });

  it('a mid-stream error keeps what arrived, marked, and charges what was generated', async () => {
    const h = await setup();
    await h.ask(alice, dm, 'modell broken');
    await h.say(alice, dm, 'go');
    const [answer] = originals(h).slice(-1);
    expect(latest(h, answer!.eventId).body).toBe('Half an \n\n*⚠️ Abbruch: GPU fell over*');
    expect(h.credits.commits).toHaveLength(1);
    expect(h.credits.commits[0]!.amount).toBeGreaterThan(0);
  });

  it('❌ on the growing answer stops it upstream, keeps it marked stopped, charges what was generated', async () => {
    const h = await setup();
    await h.ask(alice, dm, 'modell slow');
    const asking = h.say(alice, dm, 'count');
    let answerId: string | undefined;
    while (!answerId) {
      await new Promise((r) => setTimeout(r, 20));
      answerId = originals(h).find((e) => String(e.content.body).startsWith('one'))?.eventId;
    }
    await new Promise((r) => setTimeout(r, 150));
    await h.dispatcher.handle({
      event_id: '$x1',
      room_id: dm,
      type: 'm.reaction',
      sender: alice,
      content: { 'm.relates_to': { rel_type: 'm.annotation', event_id: answerId, key: '❌' } },
    });
    await asking;
    const stream = fake.streams.at(-1)!;
    expect(await stream.ended).toBe('client-closed');
    expect(stream.tokensSent).toBeLessThan(100);
    const shown = latest(h, answerId).body;
    expect(shown).toMatch(/^one two .*\n\n\*⏹ abgebrochen\*$/s);
    const [commit] = h.credits.commits;
    // What was generated: the estimated prompt plus the tokens sent, at the local price; far below the hold.
    expect(commit!.amount).toBeGreaterThan(0);
    expect(commit!.amount).toBeLessThan(getCreditCost('ai_chat_ollama'));
    expect(h.credits.balanceOf(alice).held).toBe(0);
    const row = h.stores.rows(alice, 'chat', 'messages').find((r) => r.role === 'assistant');
    expect(row).toMatchObject({ status: 'stopped' });
    // Nothing else was said: the message itself shows it stopped.
    expect(
      originals(h).filter((e) => e.eventId !== answerId && String(e.content.body).includes('Abgebrochen')),
    ).toEqual([]);
  });

  it('over the per-user limit a question waits and is told its place; "stopp" frees the slot', async () => {
    const h = await setup();
    await h.ask(alice, dm, 'modell slow');
    const dm2 = '!dm2:mana.test';
    h.members.set(dm2, [alice, BOT]);
    const first = h.say(alice, dm, 'eins');
    while (fake.streams.length === 0) await new Promise((r) => setTimeout(r, 10));
    const second = h.say(alice, dm2, 'zwei');
    let queued: string | undefined;
    while (!queued) {
      await new Promise((r) => setTimeout(r, 10));
      queued = botMessages(h)
        .map((e) => String(e.content.body))
        .find((b) => b.startsWith('⏳'));
    }
    expect(queued).toBe(
      '⏳ Du hast schon 1 Antwort(en) laufen. Deine Frage ist Nummer 1 in der Warteschlange.',
    );
    expect(fake.streams).toHaveLength(1);
    expect(await h.dispatcher.handle(textEventOf(alice, dm, 'stopp'))).toBe('handled');
    await Promise.all([first, second]);
    expect(fake.streams).toHaveLength(2);
    expect(fake.streams[1]!.request.messages.at(-1)?.content).toBe('zwei');
  });

  it('"stop" with nothing running says so (and is not a question)', async () => {
    const h = await setup();
    expect(await h.ask(alice, dm, 'stopp')).toEqual(['Gerade läuft keine Antwort.']);
    expect(fake.streams).toHaveLength(0);
  });

  it('binary garbage and an over-context prompt get clear replies and cost nothing', async () => {
    const h = await setup();
    expect(await h.ask(alice, dm, 'ab\u0000\u0001\u0002\uFFFD\uFFFDcd')).toEqual([
      'Das sieht nicht nach Text aus (Steuerzeichen oder kaputte Zeichen). Schreib deine Frage als normalen Text.',
    ]);
    await h.ask(alice, dm, 'modell tiny');
    expect(
      await h.ask(alice, dm, 'a rather long question that the tiny model cannot read at once, surely'),
    ).toEqual([
      'Das ist mehr, als ollama/tiny auf einmal lesen kann. Kürze die Frage oder schreib „neu“. Es wurde nichts abgebucht.',
    ]);
    expect(h.credits.commits).toHaveLength(0);
    expect(h.credits.balanceOf(alice).balance).toBe(10_000);
  });

  it('an answer longer than one event continues in a second message', async () => {
    const long = Array.from({ length: 600 }, (_, i) => `line ${i} of a long answer\n`);
    fake = await startFakeLlmServer({ models: [{ name: 'long', script: { tokens: long } }] });
    const llm = createLlmRegistry({
      providers: [createOllamaProvider({ baseUrl: fake.url })],
      defaultModel: 'ollama/long',
    });
    const h = createTestHarness({
      bots: [createOllamaBot({ llm, config: { ...config, maxTokens: 4000 } })],
      linked: [alice],
      costs: {
        ai_chat_ollama: getCreditCost('ai_chat_ollama'),
        ai_chat_remote: getCreditCost('ai_chat_remote'),
      },
    });
    h.members.set(dm, [alice, BOT]);
    h.credits.grant(alice, 10_000);
    await h.ask(alice, dm, 'sprache de');
    h.matrix.sent.length = 0;
    await h.say(alice, dm, 'long please');
    const parts = originals(h);
    expect(parts).toHaveLength(2);
    const texts = parts.map((p) => latest(h, p.eventId).body);
    expect(texts.every((t) => t.length <= 12_000)).toBe(true);
    expect(texts.join('')).toBe(long.join(''));
  });

  it('an image goes to the model; a model without vision gets a clear reply', async () => {
    const h = await setup();
    const image = {
      event_id: '$img1',
      room_id: dm,
      type: 'm.room.message',
      sender: alice,
      content: {
        msgtype: 'm.image',
        body: 'cat.png',
        url: 'mxc://mana.test/cat',
        info: { mimetype: 'image/png', size: 4 },
      },
    };
    h.matrix.media.set('mxc://mana.test/cat', {
      bytes: new Uint8Array([1, 2, 3, 4]),
      contentType: 'image/png',
    });
    /** As Synapse would have it: the bot reads an image it is asked about back by its event id. */
    const send = async (e: typeof image) => {
      h.matrix.events.set(e.event_id, { ...e, eventId: e.event_id, roomId: e.room_id });
      await h.dispatcher.handle(e);
    };
    await send(image);
    expect(
      botMessages(h)
        .map((e) => String(e.content.body))
        .at(-1),
    ).toBe(
      'ollama/chat kann keine Bilder ansehen. Wähle ein Modell mit Bildverständnis („modelle“ zeigt sie mit 👁). Es wurde nichts abgebucht.',
    );
    await h.ask(alice, dm, 'modell seer');
    await send({ ...image, event_id: '$img2' });
    expect(fake.streams.at(-1)!.request.images).toBe(1);
    expect(latest(h, originals(h).at(-1)!.eventId).body).toBe('A cat.');
    // A follow-up question about the same image.
    h.matrix.media.clear();
    h.matrix.media.set('mxc://mana.test/cat', {
      bytes: new Uint8Array([5, 6, 7, 8]),
      contentType: 'image/png',
    });
    await h.say(alice, dm, 'bild Welche Farbe hat sie?');
    expect(fake.streams.at(-1)!.request.images).toBe(1);
    // Downloaded again by reference to the image event, not kept in memory.
    expect(fake.streams.at(-1)!.request.messages.at(-1)).toMatchObject({
      images: [Buffer.from([5, 6, 7, 8]).toString('base64')],
    });
    expect(fake.streams.at(-1)!.request.messages.at(-1)?.role).toBe('user');
    // In another room there is no image to ask about.
    h.members.set('!dm2:mana.test', [alice, BOT]);
    expect(await h.ask(alice, '!dm2:mana.test', 'bild was ist das?')).toEqual([
      'Schick mir zuerst ein Bild, dann „bild <Frage>“ dazu. Es wurde nichts abgebucht.',
    ]);
  });

  it('both wire protocols: the OpenAI-compatible provider streams the same way', async () => {
    const h = await setup({
      registry: (f) =>
        createLlmRegistry({
          providers: [createOpenAiProvider({ name: 'hosted', baseUrl: f.openAiUrl })],
          defaultModel: 'hosted/chat',
        }),
    });
    await h.say(alice, dm, 'hi');
    expect(fake.streams[0]!.request.protocol).toBe('openai');
    expect(latest(h, originals(h)[0]!.eventId).body).toBe(ANSWER);
    const cost = meteredCost({ promptTokens: 50, completionTokens: 9 }, LLM_TOKEN_PRICES.hosted_small);
    expect(h.credits.commits).toEqual([
      expect.objectContaining({ operation: 'ai_chat_remote', amount: cost }),
    ]);
  });

  it('all: every model answers in its own message, then time and tokens of each', async () => {
    const h = await setup();
    const replies = await h.ask(alice, dm, 'alle hi');
    const summary = replies.at(-1)!;
    expect(summary.split('\n')[0]).toBe('Vergleich von 5 Modellen:');
    expect(summary).toMatch(/• ollama\/chat: [\d,]+ s, 9 Tokens/);
    expect(summary).toContain('• ollama/broken:');
    // tiny refuses the prompt as over its context before it streams.
    expect(summary).toMatch(/• ollama\/tiny: [\d,]+ s, 0 Tokens ⚠️/);
    expect(new Set(fake.streams.map((s) => s.request.model))).toEqual(
      new Set(['chat', 'slow', 'seer', 'broken']),
    );
    expect(h.credits.commits).toHaveLength(1);
  });
});
