/**
 * Reading the ollama bot's work back for e2e tests: its answers (the streamed message and its
 * edits, from Synapse) and what the ledger settled for a question.
 */
import { createCreditsClient, LLM_TOKEN_PRICES } from '@mana/credits';
import { estimatePromptTokens, type ChatMessage } from '@mana/llm';
import { tokenize, type FakeLlmServer } from '@mana/llm/fake';
import { bodyOf, inReplyTo, openChat, type Chat, type RawEvent } from './bots-chat.ts';
import {
  CREDITS_AUDIENCE,
  SERVER_NAME,
  startBotsStack,
  until,
  type BotsStack,
  type StackUser,
} from './bots-stack.ts';

export const OLLAMA = `@ollama:${SERVER_NAME}`;

/**
 * The runner hosting only @ollama (against the fake LLM given in `runnerEnv`), and one SSO user with
 * 20 000 credits granted, German, in a DM with it.
 */
export async function startOllamaChat(o: {
  label: string;
  username: string;
  runnerEnv: Record<string, string>;
}): Promise<{ stack: BotsStack; user: StackUser; chat: Chat }> {
  const stack = await startBotsStack({
    label: o.label,
    startingBalance: 0,
    runnerEnv: { BOT_BOTS: 'ollama', ...o.runnerEnv },
  });
  const user = await stack.ssoUser(o.username);
  const chat = await openChat(stack, user, OLLAMA);
  await stack.auth.service.credits.ledger.grant(
    { actor: 'e2e-operator' },
    { userId: user.accountId, amount: 20_000, kind: 'grant', idempotencyKey: `e2e-${o.username}-grant` },
  );
  await chat.ask('sprache de');
  return { stack, user, chat };
}

/** The user's balance and newest ledger entries, through the credits API with their own token. */
export async function ledgerOf(stack: BotsStack, user: StackUser) {
  const token = await stack.webToken(user, CREDITS_AUDIENCE, 'openid credits');
  const api = createCreditsClient({ baseUrl: `${stack.auth.baseUrl}/api/v1/credits`, getToken: () => token });
  return { balance: await api.balance(), entries: (await api.transactions({ limit: 200 })).entries };
}

/** The ledger's settlement of the hold the question `eventId` reserved. */
export async function settlementOf(stack: BotsStack, user: StackUser, eventId: string) {
  const { entries } = await ledgerOf(stack, user);
  const reserve = entries.find((e) => e.kind === 'reserve' && e.idempotencyKey === eventId);
  if (!reserve) return undefined;
  const settled = entries.filter(
    (e) => e.reservationId === reserve.reservationId && (e.kind === 'commit' || e.kind === 'release'),
  );
  return settled.length ? { reserve, settled } : undefined;
}

export const relation = (e: RawEvent) =>
  e.content['m.relates_to'] as { rel_type?: string; event_id?: string } | undefined;

/** The newest text of a bot message: its last edit's `m.new_content`, or itself. */
export function latestOf(timeline: readonly RawEvent[], message: RawEvent) {
  const edits = timeline.filter(
    (e) =>
      e.sender === message.sender &&
      relation(e)?.rel_type === 'm.replace' &&
      relation(e)?.event_id === message.event_id,
  );
  const last = edits.at(-1);
  const content = last ? (last.content['m.new_content'] as Record<string, unknown>) : message.content;
  return {
    edits,
    body: String(content.body),
    html: typeof content.formatted_body === 'string' ? content.formatted_body : '',
  };
}

/** The bot's answer to `question` (the first message it streams into) and its edits, from Synapse. */
export async function answerOf(chat: Chat, question: string) {
  const timeline = await chat.timeline();
  const answer = timeline.find(
    (e) => e.sender === chat.bot && e.type === 'm.room.message' && inReplyTo(e) === question,
  );
  return answer ? { answer, ...latestOf(timeline, answer) } : undefined;
}

/** The bot's one reply to `question` (waits for it; fails if there are more). */
export async function onlyReplyTo(chat: Chat, question: string): Promise<string> {
  const replies = await until(
    'the reply',
    async () => {
      const r = await chat.repliesTo(question);
      return r.length ? r : undefined;
    },
    30_000,
  );
  if (replies.length !== 1) throw new Error(`${replies.length} replies to ${question}`);
  return bodyOf(replies[0]!);
}

/** The text the fake last saw from the user in a request. */
export function lastUserText(messages: readonly { role: string; content: unknown }[]): string {
  const m = messages.findLast((x) => x.role === 'user');
  return typeof m?.content === 'string' ? m.content : '';
}

/**
 * What an answer of a local model cut off after `shown` costs when the provider sent no counts:
 * the prompt the fake got (estimated as the bot does) and one token per word shown.
 */
export function cutOffCost(stream: FakeLlmServer['streams'][number], shown: string) {
  const messages = stream.request.messages.map(
    (m) => ({ role: m.role, content: String(m.content) }) as ChatMessage,
  );
  const completionTokens = tokenize(shown).length;
  const p = LLM_TOKEN_PRICES.local;
  return Math.ceil(
    (estimatePromptTokens(messages) * p.promptPer1k + completionTokens * p.completionPer1k) / 1000,
  );
}
