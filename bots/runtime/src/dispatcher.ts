/**
 * From an appservice event to a bot's reply, as the composition of the stages in `stages/`:
 * membership (and the greeting on joining a DM) → addressing → parsing → language and context →
 * credits bracket (with cancellation) → feedback → reply. A failing command never escapes: it
 * becomes a reply and a metric.
 */
import type { CommandContext } from './bot.ts';
import type { Dispatcher, DispatcherOptions } from './dispatcher-options.ts';
import type { MatrixEvent } from './state.ts';
import { address, obj } from './stages/addressing.ts';
import { isMediaMessage, mediaJob } from './stages/media.ts';
import { createEncryptedStage } from './stages/encrypted.ts';
import type { ContextDeps } from './stages/context.ts';
import { createGreeter } from './stages/greeting.ts';
import { hostBots, type HostedBot } from './stages/hosted.ts';
import { createLanguages } from './stages/language.ts';
import { createJobRunner, withJobOptions } from './stages/jobs.ts';
import { createMembership } from './stages/membership.ts';
import { textJob } from './stages/parsing.ts';
import { createPipeline } from './stages/pipeline.ts';
import { createQueuedNotice } from './stages/queued.ts';
import { createRunning } from './stages/running.ts';
import { isStopWord, mayStop } from './stages/stop.ts';
import { createWatches } from './stages/watches.ts';
import { handleVoiceNote, voiceNoteFor } from './stages/voice.ts';

export type { Dispatcher, DispatcherOptions } from './dispatcher-options.ts';
export { addressedText } from './stages/addressing.ts';
export { welcomeFooter, welcomeReply } from './stages/greeting.ts';
export { helpReply } from './stages/help.ts';
export { isInviteAllowed } from './stages/membership.ts';

const CANCEL_KEYS = new Set(['❌', '✖️', '✖']);

export function createDispatcher(dispatcherOptions: DispatcherOptions): Dispatcher {
  const hosted = hostBots(dispatcherOptions.bots, dispatcherOptions.serverName);
  const options = { ...dispatcherOptions, scheduler: withJobOptions(dispatcherOptions.scheduler, hosted) };
  const { matrix, log } = options;
  const now = options.now ?? (() => new Date());
  const byUserId = new Map(hosted.map((b) => [b.info.userId, b]));
  const membership = createMembership({ ...options, log });
  const languages = createLanguages(options);
  const lang = async (userId: string) => (await languages.of(undefined, userId)).lang;
  const jobs = createJobRunner({ ...options, hosted, now, lang });
  const watches = createWatches({ ...options, hosted, jobContext: jobs.jobContext });
  const contextDeps: ContextDeps = {
    ...options,
    watch: watches.watch,
    knownBots: options.knownBots ?? hosted.map((b) => b.info),
    storeLanguage: languages.store,
    now,
  };
  const pipeline = createPipeline({ ...options, ...contextDeps, languages, running: createRunning() });
  const send = (bot: HostedBot, roomId: string, content: Record<string, unknown>, txn: string) =>
    matrix.send(bot.info.userId, roomId, 'm.room.message', content, txn);
  // `handle` is defined below; the stage calls it with the decrypted event.
  const onEncrypted = createEncryptedStage({
    ...options,
    hosted,
    membership,
    languages,
    send,
    now,
    handle: (event) => handle(event),
  });
  const greet = createGreeter({ ...options, membership, languages, contextDeps, send });
  /** The hosted bots that are in the room, and whether it is a DM for them. */
  async function botsIn(roomId: string): Promise<{ bot: HostedBot; isDirect: boolean }[]> {
    const found = [];
    for (const bot of hosted) {
      if (!(await membership.isMember(bot.info, roomId))) continue;
      found.push({ bot, isDirect: (await membership.memberCount(bot.info, roomId)) <= 2 });
    }
    return found;
  }

  const queued = createQueuedNotice({ botsIn, languages, send });

  async function onMessage(event: MatrixEvent): Promise<'handled' | 'ignored'> {
    const content = event.content;
    const media = isMediaMessage(content);
    if (!media && content.msgtype !== 'm.text') return 'ignored';
    if (obj(content['m.relates_to'])?.rel_type === 'm.replace') return 'ignored';
    const bots = await botsIn(event.room_id);
    // `stop` while a command of the sender runs in the room cancels it (the command replies).
    const stop =
      !media && bots.some(({ bot, isDirect }) => isStopWord(address(bot.info, event, isDirect)?.text ?? ''));
    if (stop && pipeline.stop(event.sender, event.room_id) > 0) return 'handled';
    let handled = false;
    for (const { bot, isDirect } of bots) {
      // Files are for the bot only in a DM (in a group room nobody addresses a file).
      if (media && !isDirect) continue;
      const addressed = media ? undefined : address(bot.info, event, isDirect);
      if (!media && !addressed) continue;
      handled = true;
      const voice = media ? voiceNoteFor(bot, event, matrix) : undefined;
      if (voice) {
        await handleVoiceNote({ ...options, bot, event, media: voice }, pipeline.run);
        continue;
      }
      const job = addressed
        ? textJob(bot, event, addressed, isDirect, options.maxMessageBytes)
        : mediaJob(bot, event, matrix);
      if (job) await pipeline.run(job);
    }
    return handled ? 'handled' : 'ignored';
  }

  async function onReaction(event: MatrixEvent): Promise<'handled' | 'ignored'> {
    const rel = obj(event.content['m.relates_to']);
    const target = rel?.event_id;
    const key = rel?.key;
    if (rel?.rel_type !== 'm.annotation' || typeof target !== 'string' || typeof key !== 'string')
      return 'ignored';
    if (CANCEL_KEYS.has(key) && pipeline.cancel(target, event.sender)) return 'handled';
    let handled = false;
    for (const { bot, isDirect } of await botsIn(event.room_id)) {
      const handler = bot.def.reactions?.[key];
      if (!handler) continue;
      handled = true;
      const work = (ctx: CommandContext) => handler(ctx, { target, key });
      const operation = bot.def.reactionCosts?.[key];
      await pipeline.run({
        bot,
        event,
        addressed: { text: '' },
        isDirect,
        label: `reaction:${key}`,
        work,
        operation,
      });
    }
    return handled ? 'handled' : 'ignored';
  }

  async function onMember(event: MatrixEvent): Promise<'handled' | 'ignored'> {
    membership.forgetCount(event.room_id);
    const bot = event.state_key ? byUserId.get(event.state_key) : undefined;
    if (!bot) return 'ignored';
    const outcome = await membership.onMemberEvent(bot.info, event);
    if (outcome === 'joined') await greet(bot, event);
    return outcome === 'ignored' || outcome === 'refused' ? 'ignored' : 'handled';
  }

  return {
    hosted: hosted.map((b) => b.info),
    async start(extras = {}) {
      for (const bot of hosted) {
        await matrix.ensureBotUser(bot.info.userId, {
          displayName: bot.def.displayName,
          ...(bot.def.avatarUrl ? { avatarUrl: bot.def.avatarUrl } : {}),
        });
      }
      for (const bot of hosted) {
        if (!bot.def.start) continue;
        await bot.def.start({
          bot: bot.info,
          log: log.child({ bot: bot.info.id }),
          context: (id) => jobs.jobContext(bot, id),
          repeat: (name, data, o) =>
            options.scheduler.repeat({ botId: bot.info.id, name, data, key: o.key, repeat: o.repeat }),
          async resolveRoom(idOrAlias) {
            if (idOrAlias.startsWith('!')) return idOrAlias;
            const roomId = await matrix.resolveAlias(bot.info.userId, idOrAlias);
            if (!roomId) throw new Error(`${bot.info.id}: the room alias ${idOrAlias} is unknown`);
            return roomId;
          },
          http: extras.http,
          metrics: extras.metrics,
        });
      }
      await watches.resume();
    },
    mayStop,
    queued,
    wants(event) {
      if (event.type === 'm.room.member') return true;
      if (!['m.room.message', 'm.room.encrypted', 'm.reaction'].includes(event.type)) return false;
      return typeof event.sender !== 'string' || !options.namespace.test(event.sender);
    },
    handle,
    runJob: jobs.runJob,
  };

  async function handle(event: MatrixEvent): Promise<'handled' | 'ignored'> {
    if (typeof event.sender !== 'string' || typeof event.room_id !== 'string') return 'ignored';
    if (typeof event.content !== 'object' || event.content === null) return 'ignored';
    if (event.type === 'm.room.member') return onMember(event);
    if (options.namespace.test(event.sender)) return 'ignored';
    if (event.type === 'm.room.encrypted') return onEncrypted(event);
    if (event.type === 'm.room.message') return onMessage(event);
    if (event.type === 'm.reaction') return onReaction(event);
    return 'ignored';
  }
}
