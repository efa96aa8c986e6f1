/**
 * Conversation memory in the sync service's `chat` app, so it survives restarts and the web app can
 * show it: one conversation per user and room (per thread in a group room), its messages, and the
 * user's model and mode (`preferences`). Ids are derived from the Matrix ids, so a redelivered
 * question finds the rows its first delivery wrote.
 */
import type { AppStore, Row } from '@mana/bot-runtime';
import { estimateTokens, type ChatMessage } from '@mana/llm';
import { createHash } from 'node:crypto';

export const CHAT_APP = 'chat';
export const MODES = ['default', 'summarize', 'translate', 'code', 'classify'] as const;
export type Mode = (typeof MODES)[number];
export type AnswerStatus = 'streaming' | 'complete' | 'stopped' | 'failed' | 'interrupted';

const hash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 32);

export function conversationId(roomId: string, threadRoot: string | undefined): string {
  return `c${hash(`${roomId}|${threadRoot ?? ''}`)}`;
}

/** The rows of one question and its answer. */
export function turnIds(eventId: string): { question: string; answer: string } {
  const h = hash(eventId);
  return { question: `q${h}`, answer: `a${h}` };
}

export interface Turn {
  id: string;
  role: 'user' | 'assistant';
  content: string;
  createdAt: string;
  status?: AnswerStatus | undefined;
  eventId?: string | undefined;
}

function toTurn(r: Row): Turn | undefined {
  if ((r.role !== 'user' && r.role !== 'assistant') || typeof r.content !== 'string') return undefined;
  if (typeof r.createdAt !== 'string') return undefined;
  return {
    id: r.id,
    role: r.role,
    content: r.content,
    createdAt: r.createdAt,
    ...(typeof r.status === 'string' ? { status: r.status as AnswerStatus } : {}),
    ...(typeof r.eventId === 'string' ? { eventId: r.eventId } : {}),
  };
}

export interface Preferences {
  model?: string | undefined;
  mode: Mode;
}

export async function preferences(store: AppStore): Promise<Preferences> {
  const row = await store.get('preferences', 'user');
  const mode = MODES.find((m) => m === row?.mode) ?? 'default';
  return { ...(typeof row?.model === 'string' ? { model: row.model } : {}), mode };
}

export async function setPreference(store: AppStore, fields: { model?: string; mode?: Mode }) {
  await store.upsert('preferences', 'user', fields);
  await store.flush();
}

/** The conversation's turns, oldest first. */
export async function turns(store: AppStore, conversation: string): Promise<Turn[]> {
  const rows = await store.list('messages');
  return rows
    .filter((r) => r.conversationId === conversation)
    .map(toTurn)
    .filter((t): t is Turn => t !== undefined)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

/**
 * The newest turns that fit in `budget` tokens, oldest first, as chat messages. Answers that never
 * finished count with what they showed; empty ones are left out.
 */
export function withinBudget(history: readonly Turn[], budget: number): ChatMessage[] {
  const out: ChatMessage[] = [];
  let used = 0;
  for (let i = history.length - 1; i >= 0; i--) {
    const t = history[i];
    if (!t || t.content.trim() === '') continue;
    const cost = estimateTokens(t.content) + 4;
    if (used + cost > budget) break;
    used += cost;
    out.unshift({ role: t.role, content: t.content });
  }
  // A history starts with a question, so a model never sees an answer to nothing.
  while (out[0]?.role === 'assistant') out.shift();
  return out;
}

/** Forgets the conversation: its messages are deleted (tombstones sync to the web app too). */
export async function forget(
  store: AppStore,
  conversation: string,
  where: { roomId: string; threadRoot?: string | undefined; now: Date },
): Promise<number> {
  const history = await turns(store, conversation);
  for (const t of history) await store.delete('messages', t.id);
  await store.upsert('conversations', conversation, {
    roomId: where.roomId,
    ...(where.threadRoot ? { threadRoot: where.threadRoot } : {}),
    clearedAt: where.now.toISOString(),
    updatedAt: where.now.toISOString(),
  });
  await store.flush();
  return history.length;
}
