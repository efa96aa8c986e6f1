/**
 * One command, fallback or reaction from context to reply: context (language, time zone,
 * identity, stores, signal) → feedback (typing, placeholder) → the
 * credits bracket around the work (timeout and ❌ abort it) → the reply → metrics.
 */
import type { Logger } from '@mana/logging';
import type { CommandContext } from '../bot.ts';
import { toReply, withNote, type Reply, type ReplyInput } from '../format.ts';
import type { Lang } from '@mana/i18n';
import type { MatrixPort } from '../matrix.ts';
import type { BotMetrics } from '../metrics.ts';
import type { Credits, Identity, Kv, Stores, UserSettings } from '../ports.ts';
import type { MatrixEvent } from '../state.ts';
import { TEXTS } from '../texts.ts';
import type { Addressed } from './addressing.ts';
import { bracket, type Meter } from './credits-bracket.ts';
import { makeContext, type ContextDeps } from './context.ts';
import { startFeedback } from './feedback.ts';
import type { HostedBot } from './hosted.ts';
import type { Languages } from './language.ts';
import { errorMessage } from '../errors.ts';
import { errorReply, type Outcome } from './outcome.ts';
import { replyContent } from './reply.ts';
import type { Running } from './running.ts';

export interface PipelineDeps extends ContextDeps {
  matrix: MatrixPort;
  kv: Kv;
  languages: Languages;
  stores: Stores;
  credits: Credits;
  identity: Identity;
  settings: UserSettings;
  metrics: BotMetrics;
  running: Running;
  log: Logger;
  defaultLanguage: Lang;
  defaultTimezone: string;
  progressAfterMs: number;
  typingAfterMs?: number | undefined;
  commandTimeoutMs: number;
  creditsAudience: string;
  /** Called as a reply is handed to Synapse (the runner times its own share from here). */
  onReplySending?: ((commandEventId: string) => void) | undefined;
}

export interface Job {
  bot: HostedBot;
  event: MatrixEvent;
  addressed: Addressed;
  isDirect: boolean;
  /** Metrics label (the command's name, `help`, `reaction:💤` …). */
  label: string;
  /** The language the words were in, for a user without a language setting. */
  hint?: Lang | undefined;
  /** False for the `language` command: it sets the language itself. */
  mayChooseLanguage?: boolean;
  /** An answer that needs no bot code (help, usage …). */
  immediate?: (lang: Lang) => { reply: Reply; outcome: Outcome } | undefined;
  work?: (ctx: CommandContext) => Promise<ReplyInput | undefined>;
  /** The catalogue operation the work costs (a function: chosen once the context is known). */
  operation?:
    string | ((ctx: CommandContext) => Promise<string | undefined> | string | undefined) | undefined;
  /** Start pulling the bot's apps while settings are read. */
  prefetch?: boolean;
  /**
   * Idempotency and transaction key (default: the event id), for a second job of one event (a voice
   * note's transcript after its transcription): its own credits hold, reply and placeholder.
   */
  key?: string | undefined;
}

export function createPipeline(deps: PipelineDeps) {
  const { matrix, log, metrics, running } = deps;

  async function run(job: Job): Promise<void> {
    const { bot, event } = job;
    const key = job.key ?? event.event_id;
    const started = performance.now();
    // The bot's data starts pulling (for a command that runs code) while the language is read.
    if (job.prefetch) for (const app of bot.def.apps ?? []) deps.stores.prefetch?.(event.sender, app);
    const { lang, timezone, chosen } = await deps.languages.resolve(
      bot.info,
      event.sender,
      job.hint,
      job.mayChooseLanguage ?? true,
    );
    const command = running.begin(event.event_id, event.sender, event.room_id);
    const deferredWrites: Promise<void>[] = [];
    const meter: Meter = {};
    let streamed = false;
    // eslint-disable-next-line prefer-const -- assigned after the context that refers to it
    let feedback: ReturnType<typeof startFeedback>;
    const ctx = makeContext(deps, {
      bot: bot.info,
      sender: event.sender,
      roomId: event.room_id,
      eventId: event.event_id,
      threadRoot: job.addressed.threadRoot,
      isDirect: job.isDirect,
      lang,
      timezone: timezone ?? deps.defaultTimezone,
      readAfter: started,
      signal: command.controller.signal,
      deferredWrites,
      meter,
      onStream: (id) => {
        streamed = true;
        feedback.quiet();
        running.alias(event.event_id, id);
      },
    });
    feedback = startFeedback({
      matrix,
      botUserId: bot.info.userId,
      roomId: event.room_id,
      eventId: event.event_id,
      txnKey: key,
      threadRoot: job.addressed.threadRoot,
      typingAfterMs: deps.typingAfterMs ?? 500,
      progressAfterMs: job.work ? deps.progressAfterMs : 0,
      working: { text: ctx.t(TEXTS.working) },
      onPlaceholder: (id) => running.alias(event.event_id, id),
    });
    let result: { reply: Reply | undefined; outcome: Outcome };
    try {
      const immediate = job.immediate?.(lang);
      const work = job.work;
      if (immediate || !work) result = immediate ?? { reply: undefined, outcome: 'ok' };
      else {
        const operation = typeof job.operation === 'function' ? await job.operation(ctx) : job.operation;
        const { value, charged } = await bracket(
          {
            ...deps,
            onReleaseFailed: (err) => log.warn({ err }, 'release failed'),
            onFreeFailed: (step, err) => {
              log.warn({ err, step, operation }, 'credits failed for a free operation; it runs unbracketed');
              metrics.creditsFailOpen.inc({ bot: bot.info.id, operation: operation ?? '', step });
            },
          },
          {
            sender: event.sender,
            idempotencyKey: key,
            operation,
            timeoutMs: bot.def.timeoutMs ?? deps.commandTimeoutMs,
            controller: command.controller,
            work: () => work(ctx),
            meter,
          },
        );
        result = { reply: value === undefined ? undefined : toReply(value), outcome: 'ok' };
        if (charged > 0)
          metrics.creditsCharged.inc({ bot: bot.info.id, operation: operation ?? '' }, charged);
      }
    } catch (err) {
      result = errorReply(err, ctx, { label: job.label, log });
    } finally {
      command.end();
      await feedback.end();
    }
    if (!result.reply && streamed) {
      // The streamed message is the answer: a "working…" placeholder sent before it goes away.
      const placeholder = await feedback.placeholder();
      if (placeholder)
        await matrix.redact(bot.info.userId, event.room_id, placeholder).catch((err: unknown) => {
          log.warn({ err }, 'could not redact the placeholder');
        });
    }
    if (result.reply && chosen) result.reply = withNote(result.reply, ctx.t(TEXTS.languageChosen));
    if (result.reply) {
      const content = replyContent(result.reply, {
        inReplyTo: event.event_id,
        threadRoot: job.addressed.threadRoot,
        replaces: await feedback.placeholder(),
      });
      deps.onReplySending?.(event.event_id);
      await matrix.send(bot.info.userId, event.room_id, 'm.room.message', content, `${key}:reply`);
    } else {
      // The work answered in its own way (a voice message): a "working…" placeholder would stay.
      const shown = await feedback.placeholder();
      if (shown) await matrix.redact(bot.info.userId, event.room_id, shown, 'done').catch(() => undefined);
    }
    feedback.clearTyping();
    for (const failed of (await Promise.allSettled(deferredWrites)).filter((w) => w.status === 'rejected'))
      log.warn({ bot: bot.info.id, err: errorMessage(failed.reason) }, 'a state write of the command failed');
    metrics.commands.inc({ bot: bot.info.id, command: job.label, outcome: result.outcome });
    metrics.duration.observe({ bot: bot.info.id, command: job.label }, (performance.now() - started) / 1000);
  }

  return {
    run,
    cancel: (eventId: string, sender: string) => running.cancel(eventId, sender),
    stop: (sender: string, roomId: string) => running.cancelAll(sender, roomId),
  };
}
