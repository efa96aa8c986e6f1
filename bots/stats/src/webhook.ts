/**
 * `POST /alertmanager` on the runner: Alertmanager's webhook (bearer token) → one message per
 * notification in the ops room, one thread per alert group (the group's first message is the
 * root; later notifications and the resolve follow up in it). Wrong token → 401, malformed body →
 * 400, both `{errcode, error}` with nothing posted.
 */
import { noticeContent, toReply, type JobContext } from '@mana/bot-runtime';
import type { Hono } from 'hono';
import { createHash, timingSafeEqual } from 'node:crypto';
import { groupId, notificationHtml, notificationId, webhookSchema } from './alerts.ts';

export const ALERTMANAGER_PATH = '/alertmanager';
/** The bot state that keeps each group's thread root (`thread:<group>` → event id). */
const THREADS = 'alertmanager';

function sameToken(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return expected.length > 0 && timingSafeEqual(a, b);
}

export interface WebhookOptions {
  token: string;
  /** The ops room's id (resolved at start); undefined when none is configured. */
  roomId: string | undefined;
  context: () => JobContext;
  /** `STATS_RUNBOOK_BASE_URL`: the rules' runbook paths become absolute links under it. */
  runbookBase?: string;
  onNotification?: (status: 'firing' | 'resolved', alerts: number) => void;
}

export function mountAlertmanagerWebhook(app: Hono, options: WebhookOptions): void {
  app.post(ALERTMANAGER_PATH, async (c) => {
    const auth = c.req.header('authorization') ?? '';
    const given = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    if (!sameToken(given, options.token))
      return c.json({ errcode: 'M_UNKNOWN_TOKEN', error: 'missing or wrong bearer token' }, 401);
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ errcode: 'M_NOT_JSON', error: 'body is not JSON' }, 400);
    }
    const parsed = webhookSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return c.json(
        {
          errcode: 'M_BAD_JSON',
          error:
            `not an Alertmanager webhook payload: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
        },
        400,
      );
    }
    const roomId = options.roomId;
    if (!roomId)
      return c.json({ errcode: 'M_NOT_CONFIGURED', error: 'no ops room configured (STATS_OPS_ROOM)' }, 503);
    const n = parsed.data;
    const ctx = options.context();
    const threads = ctx.state(THREADS);
    const key = `thread:${groupId(n)}`;
    const root = await threads.get<string | null>(key);
    const content: Record<string, unknown> = {
      ...noticeContent(toReply(notificationHtml(n, { runbookBase: options.runbookBase ?? '' }))),
    };
    if (root)
      content['m.relates_to'] = {
        rel_type: 'm.thread',
        event_id: root,
        is_falling_back: true,
        'm.in_reply_to': { event_id: root },
      };
    // The same notification retried by Alertmanager gets the same txn id: Synapse keeps one event.
    const eventId = await ctx.postContent(roomId, content, { txnKey: `alert:${notificationId(n)}` });
    if (!root) await threads.set(key, eventId);
    // A resolved group starts a new thread when it fires again.
    if (n.status === 'resolved') await threads.set(key, null);
    options.onNotification?.(n.status, n.alerts.length + n.truncatedAlerts);
    return c.json({ ok: true, eventId });
  });
}
