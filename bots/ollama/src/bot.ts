/**
 * The ollama bot: plain text is a question to the user's LLM, answered as one message that grows as
 * tokens arrive, with the conversation (per user and room, per thread in a group room) kept in the
 * `chat` sync app. Answers are metered: the hold is the model class's catalogue cost, the commit
 * what the provider's token counts cost. See README.md.
 */
import {
  defineBot,
  noticeContent,
  replaceContent,
  type AppStore,
  type BotDefinition,
  type CommandContext,
} from '@mana/bot-runtime';
import { getCreditCost } from '@mana/credits';
import {
  estimatePromptTokens,
  estimateTokens,
  LlmErrorCode,
  type ChatImage,
  type ChatMessage,
  type LlmRegistry,
  type ModelInfo,
} from '@mana/llm';
import { shortError, streamAnswer, type AnswerResult } from './answer.ts';
import type { OllamaBotConfig } from './config.ts';
import { createUserLimiter, QueueFullError, type UserLimiter } from './limiter.ts';
import { renderMarkdown } from './markdown.ts';
import {
  CHAT_APP,
  conversationId,
  forget,
  MODES,
  preferences,
  setPreference,
  turnIds,
  turns,
  withinBudget,
  type Mode,
} from './memory.ts';
import { findModel, isFileName, isGarbage } from './parse.ts';
import { affordableTokens, modelClass, priceOf } from './pricing.ts';
import { SYSTEM_PROMPTS, T } from './texts.ts';

export interface OllamaBotDeps {
  llm: LlmRegistry;
  config: OllamaBotConfig;
}

/** Fewest tokens worth starting an answer for. */
const MIN_ANSWER_TOKENS = 16;
/** Largest image sent to a model. */
const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
/** `all` asks at most this many models. */
const MAX_COMPARED = 6;
/** How long an image may be asked about with `vision <question>`. */
const IMAGE_TTL_MS = 10 * 60_000;
/** How long the model list is reused before asking the providers again. */
const MODELS_TTL_MS = 30_000;

/**
 * @example
 * createOllamaBot(() => ({ llm: createLlmRegistryFromConfig(loadConfig(llmConfigSpec)), config }))
 */
export function createOllamaBot(deps: OllamaBotDeps | (() => OllamaBotDeps)): BotDefinition {
  let loaded: { deps: OllamaBotDeps; limiter: UserLimiter } | undefined;
  /** Providers and settings, read once on first use (a runner not hosting this bot never reads them). */
  const get = () => {
    if (!loaded) {
      const d = typeof deps === 'function' ? deps() : deps;
      loaded = {
        deps: d,
        limiter: createUserLimiter({
          max: d.config.maxConcurrentPerUser,
          maxQueued: d.config.maxQueuedPerUser,
        }),
      };
    }
    return loaded;
  };

  let modelCache: { at: number; models: ModelInfo[] } | undefined;
  /**
   * The last image each person sent in each room, by reference (the user's bot state: its event id
   * and when): `vision` downloads it again through authenticated media, so no bytes are held.
   */
  const imageKey = (ctx: CommandContext) => `image:${ctx.roomId}`;
  const keepImage = (ctx: CommandContext) =>
    ctx.state.set(imageKey(ctx), { eventId: ctx.eventId, at: ctx.now.toISOString() });
  /** The image `vision` asks about: downloaded, or why not (a reply). */
  const keptImage = async (ctx: CommandContext): Promise<ChatImage | string> => {
    const kept = await ctx.state.get<{ eventId: string; at: string }>(imageKey(ctx));
    if (!kept || ctx.now.getTime() - Date.parse(kept.at) > IMAGE_TTL_MS) return ctx.t(T.noImage);
    const media = await ctx.media(kept.eventId);
    if (!media || media.kind !== 'image') return ctx.t(T.noImage);
    const { bytes, contentType } = await media.download();
    return { data: bytes, mimeType: media.mimetype ?? contentType };
  };
  const models = async (): Promise<ModelInfo[]> => {
    if (modelCache && Date.now() - modelCache.at < MODELS_TTL_MS) return modelCache.models;
    const list = await get().deps.llm.models();
    modelCache = { at: Date.now(), models: list };
    return list;
  };

  /** The user's model, the deployment's default, or the first one served. */
  const modelOf = async (chosen: string | undefined): Promise<string | undefined> =>
    chosen ?? get().deps.llm.defaultModel ?? (await models().catch(() => []))[0]?.id;

  const operationFor = async (ctx: CommandContext): Promise<string | undefined> => {
    const prefs = await preferences(await ctx.store(CHAT_APP));
    const model = await modelOf(prefs.model);
    if (!model) return undefined;
    const { llm, config } = get().deps;
    return priceOf(modelClass(llm, model, config.largeModels)).operation;
  };

  /** The reply for an answer that never showed anything. */
  const failureText = (ctx: CommandContext, model: string, r: AnswerResult): string => {
    const e = r.error;
    const provider = model.split('/')[0] ?? model;
    switch (e?.code) {
      case LlmErrorCode.Aborted:
        return ctx.t({
          de: '⏹ Abgebrochen, bevor die Antwort begann. Es wurde nichts abgebucht.',
          en: '⏹ Stopped before the answer began. Nothing was charged.',
        });
      case LlmErrorCode.ProviderDown:
        return ctx.t(T.providerDown, { provider });
      case LlmErrorCode.FirstTokenTimeout:
        return ctx.t(T.firstTokenTimeout, { model });
      case LlmErrorCode.UnknownModel:
        return ctx.t(T.unknownModel, { model });
      case LlmErrorCode.ContextTooLong:
        return ctx.t(T.contextTooLong, { model });
      case LlmErrorCode.NoVision:
        return ctx.t(T.noVision, { model });
      default:
        return ctx.t(T.failed, { error: shortError(e) || 'no answer' });
    }
  };

  /** A question (text, or an image with its caption) answered into the room. */
  async function ask(
    ctx: CommandContext,
    question: string,
    images?: ChatImage[],
  ): Promise<string | undefined> {
    // Metered from the start: nothing used yet, so a cancel before the first token charges nothing.
    ctx.meter(0);
    if (isGarbage(question)) return ctx.t(T.garbage);
    const { deps: d, limiter } = get();
    const { llm, config } = d;
    const store = await ctx.store(CHAT_APP);
    const prefs = await preferences(store);
    const model = await modelOf(prefs.model);
    if (!model) return ctx.t(T.noModel);

    const threadRoot = ctx.isDirect ? undefined : ctx.threadRoot;
    const cid = conversationId(ctx.roomId, threadRoot);
    const ids = turnIds(ctx.eventId);
    const history = await turns(store, cid);
    const earlier = history.find((t) => t.id === ids.answer);
    if (earlier) {
      // The same question again after a crash: the half answer is marked, never silently restarted.
      if (earlier.status !== 'streaming') return undefined;
      await markInterrupted(ctx, store, ids.answer, earlier.eventId);
      return ctx.t(T.interrupted);
    }

    const price = priceOf(modelClass(llm, model, config.largeModels));
    const system: ChatMessage = { role: 'system', content: SYSTEM_PROMPTS[prefs.mode] };
    const asked: ChatMessage = { role: 'user', content: question };
    // The memory may use at most half of what the hold pays for, so the answer keeps the rest.
    const fixed = estimatePromptTokens([system, asked]);
    const memoryBudget = Math.min(
      config.memoryTokens,
      Math.floor((getCreditCost(price.operation) * 500) / price.promptPer1k) - fixed,
    );
    const messages = [system, ...withinBudget(history, Math.max(0, memoryBudget)), asked];
    const promptTokens = estimatePromptTokens(messages);
    const maxTokens = affordableTokens(promptTokens, price, config.maxTokens);
    if (maxTokens < MIN_ANSWER_TOKENS) return ctx.t(T.tooLong, { tokens: estimateTokens(question) });

    let slot;
    try {
      slot = await limiter.acquire(ctx.sender, {
        signal: ctx.signal,
        onQueued: (position) =>
          void ctx
            .sendContent(
              noticeContent(
                { text: ctx.t(T.queued, { position, running: limiter.running(ctx.sender) }) },
                ctx.eventId,
              ),
            )
            .catch(() => undefined),
      });
    } catch (e) {
      if (e instanceof QueueFullError) return ctx.t(T.queueFull, { waiting: e.waiting });
      throw e;
    }
    try {
      const now = Date.now();
      await store.upsert('conversations', cid, {
        roomId: ctx.roomId,
        ...(threadRoot ? { threadRoot } : {}),
        updatedAt: new Date(now).toISOString(),
      });
      await store.upsert('messages', ids.question, {
        conversationId: cid,
        role: 'user',
        content: question,
        createdAt: new Date(now).toISOString(),
      });
      await store.upsert('messages', ids.answer, {
        conversationId: cid,
        role: 'assistant',
        content: '',
        createdAt: new Date(now + 1).toISOString(),
        model,
        status: 'streaming',
      });
      await store.flush();

      const result = await streamAnswer({
        ctx,
        llm,
        model,
        messages,
        maxTokens,
        images,
        price,
        intervalMs: config.editIntervalMs,
        key: 'a',
        onCost: (m) => ctx.meter(m),
        // Which message is growing, so a restart after a crash can mark it interrupted.
        onPart: async (eventId) => {
          await store.upsert('messages', ids.answer, { eventId });
          await store.flush();
        },
      });

      if (result.eventIds.length === 0) {
        // Nothing arrived: the question is not part of the conversation either.
        await store.delete('messages', ids.question);
        await store.delete('messages', ids.answer);
        await store.flush();
        return failureText(ctx, model, result);
      }
      await store.upsert('messages', ids.answer, {
        content: result.text,
        status: result.status,
        promptTokens: result.usage.promptTokens,
        completionTokens: result.usage.completionTokens,
        eventId: result.eventIds[0] ?? null,
      });
      await store.flush();
      return undefined;
    } finally {
      slot.release();
    }
  }

  /**
   * A half answer left by a crash: its message (the part that was growing) is edited to what it
   * showed plus the interrupted mark, and the row keeps that text.
   */
  async function markInterrupted(
    ctx: CommandContext,
    store: AppStore,
    answerId: string,
    eventId: string | undefined,
  ): Promise<void> {
    const event = eventId ? await ctx.event(eventId).catch(() => undefined) : undefined;
    const body = (event?.edited ?? event?.content)?.body;
    const shown = typeof body === 'string' ? body : '';
    if (eventId && event) {
      const marked = renderMarkdown(`${shown}\n\n*${ctx.t(T.interruptedMark)}*`);
      await ctx.sendContent(replaceContent(noticeContent(marked), eventId), { txnKey: 'interrupted' });
    }
    await store.upsert('messages', answerId, { status: 'interrupted', content: shown });
    await store.flush();
  }

  /** `all <question>`: every model at once, each in its own message, then time and tokens of each. */
  async function askAll(ctx: CommandContext, question: string): Promise<string> {
    ctx.meter(0);
    if (isGarbage(question)) return ctx.t(T.garbage);
    const { llm, config } = get().deps;
    const list = (await models().catch(() => [])).slice(0, MAX_COMPARED);
    if (list.length === 0) return ctx.t(T.noModel);
    const operation = await allOperation(list);
    const share = (getCreditCost(operation) * 1000) / list.length;
    const costs = list.map(() => 0);
    const messages: ChatMessage[] = [
      { role: 'system', content: SYSTEM_PROMPTS.default },
      { role: 'user', content: question },
    ];
    const promptTokens = estimatePromptTokens(messages);
    const results = await Promise.all(
      list.map(async (m, i) => {
        const price = priceOf(modelClass(llm, m.id, config.largeModels));
        const maxTokens = Math.max(
          0,
          Math.min(
            config.maxTokens,
            Math.floor((share - promptTokens * price.promptPer1k) / price.completionPer1k),
          ),
        );
        if (maxTokens < MIN_ANSWER_TOKENS) return undefined;
        return streamAnswer({
          ctx,
          llm,
          model: m.id,
          messages,
          maxTokens,
          price,
          intervalMs: config.editIntervalMs,
          key: `all${i}`,
          header: `**${m.id}**\n\n`,
          onCost: (c) => {
            costs[i] = c;
            ctx.meter(costs.reduce((a, b) => a + b, 0));
          },
        });
      }),
    );
    const lines = list.map((m, i) => {
      const r = results[i];
      if (!r) return ctx.t(T.allLine, { model: m.id, seconds: '–', tokens: 0, status: ' ⚠️' });
      const status =
        r.status === 'complete' ? '' : r.status === 'stopped' ? ' ⏹' : ` ⚠️ ${shortError(r.error)}`;
      return ctx.t(T.allLine, {
        model: m.id,
        seconds: (r.ms / 1000).toLocaleString(ctx.lang === 'de' ? 'de-DE' : 'en-US', {
          maximumFractionDigits: 1,
        }),
        tokens: r.usage.completionTokens,
        status,
      });
    });
    return [ctx.t(T.allHeader, { count: list.length }), ...lines].join('\n');
  }

  /** The hold of `all`: the dearest class among the models compared. */
  async function allOperation(list: readonly ModelInfo[]): Promise<string> {
    const { llm, config } = get().deps;
    const ops = list.map((m) => priceOf(modelClass(llm, m.id, config.largeModels)).operation);
    return ops.reduce((a, b) => (getCreditCost(b) > getCreditCost(a) ? b : a));
  }

  const modeList = MODES.join(', ');

  return defineBot({
    id: 'ollama',
    localpart: 'ollama',
    displayName: 'Ollama',
    description: {
      de: 'KI-Chat: frag mich etwas, die Antwort wächst live mit.',
      en: 'AI chat: ask me anything, the answer grows live.',
    },
    apps: [CHAT_APP],
    // An answer may stream for minutes; the runtime's default is for quick commands.
    timeoutMs: 10 * 60_000,
    examples: [
      { de: 'Was ist ein Monoid?', en: 'What is a monoid?' },
      { de: 'modelle', en: 'models' },
      { de: 'modus code', en: 'mode code' },
    ],
    fallback: (ctx, text) => ask(ctx, text),
    fallbackCost: (ctx, text) => (isGarbage(text) ? undefined : operationFor(ctx)),
    media: {
      accepts: ['image'],
      cost: (ctx) => operationFor(ctx),
      async handle(ctx, media) {
        if (media.size !== undefined && media.size > MAX_IMAGE_BYTES)
          return ctx.t(T.imageTooLarge, {
            mb: (media.size / 1024 / 1024).toFixed(1),
            max: MAX_IMAGE_BYTES / 1024 / 1024,
          });
        const { bytes, contentType } = await media.download();
        const caption = media.body.trim();
        const question = caption === '' || isFileName(caption) ? ctx.t(T.imageQuestion) : caption;
        const image: ChatImage = { data: bytes, mimeType: media.mimetype ?? contentType };
        await keepImage(ctx);
        return ask(ctx, question, [image]);
      },
    },
    commands: [
      {
        name: 'models',
        aliases: { de: ['modelle'], en: ['models'] },
        help: { de: 'Zeigt die verfügbaren Modelle.', en: 'Lists the available models.' },
        async run(ctx) {
          const status = await get().deps.llm.status();
          modelCache = { at: Date.now(), models: status.flatMap((s) => s.models) };
          const mine = await modelOf((await preferences(await ctx.store(CHAT_APP))).model);
          const lines = status.flatMap((s) =>
            s.up
              ? s.models.map(
                  (m) => `• ${m.id}${m.vision ? ' 👁' : ''}${m.id === mine ? ` ← ${ctx.t(T.yours)}` : ''}`,
                )
              : [ctx.t(T.down, { provider: s.provider, error: s.error ?? '' })],
          );
          if (!status.some((s) => s.up && s.models.length > 0)) lines.unshift(ctx.t(T.modelsNone));
          else lines.unshift(ctx.t(T.modelsHeader));
          return lines.join('\n');
        },
      },
      {
        name: 'model',
        aliases: { de: ['modell'], en: ['model'] },
        args: [{ name: 'name', kind: 'word', optional: true, label: { de: 'Name', en: 'name' } }],
        help: { de: 'Zeigt oder wählt dein Modell.', en: 'Shows or picks your model.' },
        async run(ctx, args) {
          const store = await ctx.store(CHAT_APP);
          const word = args.optionalStr('name');
          if (word === undefined) {
            const model = await modelOf((await preferences(store)).model);
            return model ? ctx.t(T.modelCurrent, { model }) : ctx.t(T.noModel);
          }
          modelCache = undefined;
          const found = findModel(await models().catch(() => []), word);
          if (!found) return ctx.t(T.modelUnknown, { model: word.slice(0, 100) });
          await setPreference(store, { model: found.id });
          return ctx.t(T.modelSet, { model: found.id });
        },
      },
      {
        name: 'mode',
        aliases: { de: ['modus'], en: ['mode'] },
        args: [{ name: 'mode', kind: 'word', optional: true, label: { de: modeList, en: modeList } }],
        help: {
          de: 'Zeigt oder wählt den Modus (Systemprompt).',
          en: 'Shows or picks the mode (system prompt).',
        },
        async run(ctx, args) {
          const store = await ctx.store(CHAT_APP);
          const word = args.optionalStr('mode')?.toLowerCase();
          if (word === undefined)
            return ctx.t(T.modeCurrent, { mode: (await preferences(store)).mode, modes: modeList });
          const mode = MODES.find((m): m is Mode => m === word);
          if (!mode) return ctx.t(T.modeUnknown, { mode: word.slice(0, 50), modes: modeList });
          await setPreference(store, { mode });
          return ctx.t(T.modeSet, { mode });
        },
      },
      {
        name: 'new',
        aliases: { de: ['neu', 'vergiss'], en: ['new', 'clear'] },
        help: {
          de: 'Vergisst das bisherige Gespräch in diesem Raum (Thread).',
          en: 'Forgets the conversation so far in this room (thread).',
        },
        async run(ctx) {
          const threadRoot = ctx.isDirect ? undefined : ctx.threadRoot;
          const count = await forget(await ctx.store(CHAT_APP), conversationId(ctx.roomId, threadRoot), {
            roomId: ctx.roomId,
            threadRoot,
            now: ctx.now,
          });
          return ctx.t(T.forgotten, { count });
        },
      },
      {
        name: 'all',
        aliases: { de: ['alle'], en: ['all'] },
        args: [{ name: 'question', kind: 'text', label: { de: 'Frage', en: 'question' } }],
        help: {
          de: 'Stellt die Frage allen Modellen und vergleicht Zeit und Tokens.',
          en: 'Asks every model and compares time and tokens.',
        },
        operation: async () => allOperation((await models().catch(() => [])).slice(0, MAX_COMPARED)),
        run: (ctx, args) => askAll(ctx, args.str('question')),
      },
      {
        name: 'vision',
        aliases: { de: ['bild'], en: ['vision'] },
        args: [{ name: 'question', kind: 'text', label: { de: 'Frage', en: 'question' } }],
        help: {
          de: 'Eine Frage zu deinem letzten Bild hier.',
          en: 'A question about the last image you sent here.',
        },
        operation: (ctx) => operationFor(ctx),
        async run(ctx, args) {
          ctx.meter(0);
          const image = await keptImage(ctx);
          if (typeof image === 'string') return image;
          return ask(ctx, args.str('question'), [image]);
        },
      },
      {
        name: 'status',
        aliases: { de: ['status'], en: ['status'] },
        help: {
          de: 'Anbieter, Modelle, dein Modell und Modus.',
          en: 'Providers, models, your model and mode.',
        },
        async run(ctx) {
          const { llm } = get().deps;
          const { limiter } = get();
          const [status, prefs] = await Promise.all([llm.status(), preferences(await ctx.store(CHAT_APP))]);
          const lines = [
            ctx.t(T.statusProviders),
            ...status.map((s) =>
              s.up
                ? ctx.t(T.statusUp, { provider: s.provider, protocol: s.protocol, count: s.models.length })
                : ctx.t(T.statusDown, { provider: s.provider, protocol: s.protocol, error: s.error ?? '' }),
            ),
            ctx.t(T.statusYou, {
              model: (await modelOf(prefs.model)) ?? '–',
              mode: prefs.mode,
              running: limiter.running(ctx.sender),
              waiting: limiter.waiting(ctx.sender),
            }),
          ];
          if (status.length === 0) lines.splice(1, 0, ctx.t(T.noModel));
          return lines.join('\n');
        },
      },
      {
        name: 'stop',
        aliases: { de: ['stopp', 'abbrechen'], en: ['stop', 'cancel'] },
        help: {
          de: 'Bricht deine laufende Antwort ab (oder ❌ auf die Antwort).',
          en: 'Stops your running answer (or ❌ on the answer).',
        },
        // Reached only when nothing runs: a running answer is stopped by the runtime first.
        run: (ctx) => ctx.t({ de: 'Gerade läuft keine Antwort.', en: 'No answer is running right now.' }),
      },
    ],
  });
}
