/**
 * The ollama bot's edges end to end (the real runner, Synapse, auth's ledger, sync, Redis; the fake
 * LLM on the Ollama protocol): `alle`, an answer continuing in a second message, too few credits,
 * a first-token timeout, a mid-stream error, a prompt over the model's context, an empty message and
 * binary garbage. Each checks the reply a person sees and what the ledger settled.
 */
import { startFakeLlmServer, tokenize, type FakeLlmServer } from '@mana/llm/fake';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bodyOf, inReplyTo, openChat, type Chat } from './support/bots-chat.ts';
import { until, type BotsStack, type StackUser } from './support/bots-stack.ts';
import {
  answerOf,
  cutOffCost,
  latestOf,
  ledgerOf,
  OLLAMA,
  onlyReplyTo,
  settlementOf as settlementIn,
  startOllamaChat,
} from './support/ollama.ts';
import { logRunnerOnFailure } from './support/index.ts';

const ANSWER = 'Vier. Denn **2 + 2** ergibt `4`.';
const LONG = Array.from({ length: 400 }, (_, i) => `Zeile ${i} einer langen Antwort, die weitergeht\n`);

let fake: FakeLlmServer;
let stack: BotsStack;
let user: StackUser;
let chat: Chat;

beforeAll(async () => {
  fake = await startFakeLlmServer({
    models: [
      { name: 'chat', script: { tokens: tokenize(ANSWER), promptTokens: 40, completionTokens: 9 } },
      { name: 'long', script: { tokens: LONG } },
      { name: 'late', script: { tokens: ['zu ', 'spät'], firstTokenDelayMs: 8000 } },
      {
        name: 'broken',
        script: {
          tokens: tokenize('Halb fertig und dann'),
          tokenDelayMs: 50,
          errorAfter: 2,
          errorMessage: 'GPU fell over',
        },
      },
      { name: 'tiny', contextLength: 20, script: { tokens: ['ok'] } },
    ],
  });
  ({ stack, user, chat } = await startOllamaChat({
    label: 'e2e_ollama_limits',
    username: 'lena',
    runnerEnv: {
      LLM_OLLAMA_URL: fake.url,
      LLM_DEFAULT_MODEL: 'ollama/chat',
      LLM_FIRST_TOKEN_TIMEOUT_MS: '1500',
    },
  }));
}, 180_000);

afterAll(async () => {
  await stack?.close();
  await fake?.close();
});

afterEach(logRunnerOnFailure(() => stack));

const settlementOf = (eventId: string) => settlementIn(stack, user, eventId);

/** Picks a model, then asks (without waiting); the question's event id. */
async function askWith(model: string, question: string) {
  expect(bodyOf(await chat.ask(`modell ${model}`))).toBe(`Dein Modell ist jetzt ${model}.`);
  return chat.send(question);
}

const onlyReply = (question: string) => onlyReplyTo(chat, question);

describe('ollama bot: edges through the real runner', () => {
  it('too few credits: the insufficient-credits reply before any upstream call, nothing charged', async () => {
    const poor = await stack.ssoUser('paul');
    const poorChat = await openChat(stack, poor, OLLAMA);
    await poorChat.ask('sprache de');
    const streams = fake.streams.length;
    const reply = bodyOf(await poorChat.ask('Was ist 2 + 2?', 30_000));
    expect(reply).toMatch(/^Dafür reichen deine Credits nicht: .* Es wurde nichts abgebucht\./);
    expect(fake.streams.length).toBe(streams);
    const { balance, entries } = await ledgerOf(stack, poor);
    expect(balance.balance).toBe(0);
    expect(entries.filter((e) => e.kind !== 'grant')).toEqual([]);
  });

  it('alle: every model answers in its own message, then the time and tokens of each', async () => {
    const question = await chat.send('alle Was ist 2 + 2?');
    const summary = await until(
      'the comparison',
      async () => (await chat.repliesTo(question)).find((e) => bodyOf(e).startsWith('Vergleich')),
      60_000,
    );
    const lines = bodyOf(summary).split('\n');
    expect(lines[0]).toBe('Vergleich von 5 Modellen:');
    expect(lines.slice(1).map((l) => l.split(':')[0])).toEqual(
      ['chat', 'long', 'late', 'broken', 'tiny'].map((m) => `• ollama/${m}`),
    );
    expect(lines[1]).toMatch(/^• ollama\/chat: [\d,]+ s, 9 Tokens$/);
    expect(lines[4]).toMatch(/^• ollama\/broken: [\d,]+ s, \d+ Tokens ⚠️ GPU fell over$/);
    // The models that answered each have their own message, headed by the model's name.
    const timeline = await chat.timeline();
    const own = timeline.filter(
      (e) => e.sender === OLLAMA && inReplyTo(e) === question && e.event_id !== summary.event_id,
    );
    const chatAnswer = own
      .map((e) => latestOf(timeline, e).body)
      .find((b) => b.startsWith('**ollama/chat**'));
    expect(chatAnswer).toBe(`**ollama/chat**\n\n${ANSWER}`);
    // One hold, one metered commit for all of them.
    const s = await until('the settlement', () => settlementOf(question));
    expect(s.settled).toHaveLength(1);
    expect(s.settled[0]!.kind).toBe('commit');
  });

  it('an answer longer than one event continues in a second message', async () => {
    const question = await askWith('ollama/long', 'Erzähl viel');
    const parts = await until(
      'both parts complete',
      async () => {
        const timeline = await chat.timeline();
        const own = timeline.filter(
          (e) =>
            e.sender === OLLAMA &&
            inReplyTo(e) === question &&
            (e.content['m.relates_to'] as { rel_type?: string } | undefined)?.rel_type !== 'm.replace',
        );
        const texts = own.map((e) => latestOf(timeline, e).body);
        return texts.join('') === LONG.join('') ? texts : undefined;
      },
      60_000,
    );
    expect(parts).toHaveLength(2);
    expect(parts.every((t) => t.length <= 12_000)).toBe(true);
    const s = await until('the settlement', () => settlementOf(question));
    expect(s.settled.map((e) => e.kind)).toEqual(['commit']);
  });

  it('a first-token timeout: a clear reply, the request closed, nothing charged', async () => {
    const question = await askWith('ollama/late', 'Bist du wach?');
    expect(await onlyReply(question)).toBe(
      'ollama/late hat nicht rechtzeitig angefangen zu antworten. Es wurde nichts abgebucht.',
    );
    expect(await fake.streams.at(-1)!.ended).toBe('client-closed');
    const s = await until('the settlement', () => settlementOf(question));
    expect(s.settled.map((e) => [e.kind, e.amount])).toEqual([['release', 0]]);
  });

  it('a mid-stream error: what arrived plus a short error, the tokens generated charged once', async () => {
    const question = await askWith('ollama/broken', 'Mach was');
    const broken = await until(
      'the answer marked broken',
      async () => {
        const a = await answerOf(chat, question);
        return a?.body.endsWith('*⚠️ Abbruch: GPU fell over*') ? a : undefined;
      },
      30_000,
    );
    expect(broken.body).toBe('Halb fertig \n\n*⚠️ Abbruch: GPU fell over*');
    const stream = fake.streams.at(-1)!;
    expect(await stream.ended).toBe('error');
    const s = await until('the settlement', () => settlementOf(question));
    expect(s.settled.map((e) => [e.kind, e.amount])).toEqual([
      ['commit', -cutOffCost(stream, 'Halb fertig ')],
    ]);
  });

  it('a prompt over the model’s context: a clear reply, nothing charged', async () => {
    const question = await askWith('ollama/tiny', 'Eine Frage, die für das winzige Modell viel zu lang ist');
    expect(await onlyReply(question)).toBe(
      'Das ist mehr, als ollama/tiny auf einmal lesen kann. Kürze die Frage oder schreib „neu“. Es wurde nichts abgebucht.',
    );
    const s = await until('the settlement', () => settlementOf(question));
    expect(s.settled.map((e) => [e.kind, e.amount])).toEqual([['release', 0]]);
  });

  it('an empty message and binary garbage: short replies, no upstream call, nothing reserved', async () => {
    const streams = fake.streams.length;
    const empty = await chat.send('   ');
    expect(await onlyReply(empty)).toBe('Deine Nachricht war leer. Schreib „hilfe“ für alle Befehle.');
    // Bytes read as UTF-8: NUL and other control characters, invalid sequences (U+FFFD).
    const bytes = Buffer.from(Array.from({ length: 600 }, (_, i) => (i * 37) % 256)).toString('utf8');
    const garbage = await chat.send(bytes);
    expect(await onlyReply(garbage)).toBe(
      'Das sieht nicht nach Text aus (Steuerzeichen oder kaputte Zeichen). Schreib deine Frage als normalen Text.',
    );
    expect(fake.streams.length).toBe(streams);
    const { entries } = await ledgerOf(stack, user);
    expect(entries.filter((e) => e.idempotencyKey === empty || e.idempotencyKey === garbage)).toEqual([]);
    // Still answering.
    expect(bodyOf(await chat.ask('modell ollama/chat'))).toBe('Dein Modell ist jetzt ollama/chat.');
  });
});
