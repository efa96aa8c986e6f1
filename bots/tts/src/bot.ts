/**
 * The tts bot: any text becomes a Matrix voice message (Ogg/Opus with duration and waveform, as
 * Element records them); 🗣 on a message in a room with the bot reads that message aloud in its
 * thread. Voice and speed are the user's (bot state); the language follows the text.
 */
import {
  CommandError,
  defineBot,
  html,
  type BotCommand,
  type BotDefinition,
  type CommandContext,
} from '@mana/bot-runtime';
import { MAX_SPEED, MIN_SPEED } from './engine.ts';
import { MAX_CHARS } from './text.ts';
import {
  allVoices,
  findVoice,
  speak,
  speedOf,
  SPEED_KEY,
  voiceFor,
  VOICE_KEY,
  type Speaker,
} from './speak.ts';

const COST = 'tts_synthesis';
/** 🗣 with and without the emoji variation selector. */
const READ_KEYS = ['🗣', '🗣️'];

/** `1,5` or `1.5` or `1.5x` → 1.5; undefined when it is no number. */
export function parseSpeed(word: string): number | undefined {
  const m = /^(\d+(?:[.,]\d+)?)x?$/i.exec(word.trim());
  return m?.[1] ? Number(m[1].replace(',', '.')) : undefined;
}

const fmtSpeed = (n: number, ctx: CommandContext) =>
  n.toLocaleString(ctx.lang === 'de' ? 'de-DE' : 'en-US', { maximumFractionDigits: 2 });

function voiceList(ctx: CommandContext, s: Speaker) {
  return html`<p><b>${ctx.t({ de: 'Stimmen', en: 'Voices' })}</b></p><ul>${allVoices(s).map(
    (v) => html`<li><code>${v.id}</code> — ${v.label}</li>`,
  )}</ul><p>${ctx.t({ de: 'Wählen: stimme de-f · zurück zur Automatik: stimme auto', en: 'Choose: voice en-us-f · back to automatic: voice auto' })}</p>`;
}

export function createTtsBot(s: Speaker): BotDefinition {
  const say = (ctx: CommandContext, text: string) =>
    speak(ctx, s, text, { replyTo: ctx.eventId, threadRoot: ctx.threadRoot }).then(() => undefined);

  const commands: BotCommand[] = [
    {
      name: 'say',
      aliases: { de: ['sag', 'lies'], en: ['say', 'read'] },
      args: [{ name: 'text', kind: 'text', label: { de: 'Text', en: 'text' } }],
      help: {
        de: 'Liest den Text vor (jeder Text ohne Befehl tut das auch)',
        en: 'Reads the text aloud (any text without a command does too)',
      },
      cost: COST,
      run: (ctx, args) => say(ctx, args.str('text')),
    },
    {
      name: 'voice',
      aliases: { de: ['stimme'], en: ['voice'] },
      args: [{ name: 'id', kind: 'word', optional: true, label: { de: 'Stimme', en: 'voice' } }],
      help: {
        de: 'Zeigt oder wählt deine Stimme (auto: nach Sprache)',
        en: 'Shows or picks your voice (auto: by language)',
      },
      async run(ctx, args) {
        const id = args.optionalStr('id');
        if (!id) {
          const chosen = await ctx.state.get<string>(VOICE_KEY);
          return chosen
            ? ctx.t({ de: 'Deine Stimme: {v}', en: 'Your voice: {v}' }, { v: chosen })
            : ctx.t({
                de: 'Stimme: automatisch nach Sprache des Textes. Wählen: stimme <name> (siehe stimmen)',
                en: 'Voice: automatic by the language of the text. Choose: voice <name> (see voices)',
              });
        }
        if (id.toLowerCase() === 'auto') {
          await ctx.state.set(VOICE_KEY, null);
          return ctx.t({ de: 'Stimme: automatisch nach Sprache.', en: 'Voice: automatic by language.' });
        }
        const voice = findVoice(s, id);
        if (!voice)
          throw new CommandError(`unknown voice ${id}`, {
            de: `Die Stimme „${id.slice(0, 40)}“ kenne ich nicht. Verfügbar: ${allVoices(s)
              .map((v) => v.id)
              .join(', ')}`,
            en: `I don't know the voice "${id.slice(0, 40)}". Available: ${allVoices(s)
              .map((v) => v.id)
              .join(', ')}`,
          });
        await ctx.state.set(VOICE_KEY, voice.id);
        return ctx.t(
          { de: 'Stimme gewählt: {v} ({l})', en: 'Voice set: {v} ({l})' },
          { v: voice.id, l: voice.label },
        );
      },
    },
    {
      name: 'voices',
      aliases: { de: ['stimmen'], en: ['voices'] },
      help: { de: 'Alle Stimmen', en: 'All voices' },
      run: (ctx) => voiceList(ctx, s),
    },
    {
      name: 'speed',
      aliases: { de: ['tempo'], en: ['speed'] },
      args: [{ name: 'factor', kind: 'word', optional: true, label: { de: '0,5–2,0', en: '0.5–2.0' } }],
      help: {
        de: 'Zeigt oder setzt das Sprechtempo (0,5–2,0)',
        en: 'Shows or sets the speaking speed (0.5–2.0)',
      },
      async run(ctx, args) {
        const word = args.optionalStr('factor');
        if (!word)
          return ctx.t({ de: 'Tempo: {s}', en: 'Speed: {s}' }, { s: fmtSpeed(await speedOf(ctx), ctx) });
        const speed = parseSpeed(word);
        if (speed === undefined || speed < MIN_SPEED || speed > MAX_SPEED)
          throw new CommandError(`bad speed ${word}`, {
            de: 'Tempo geht von 0,5 bis 2,0, z. B.: tempo 1,5',
            en: 'Speed goes from 0.5 to 2.0, e.g.: speed 1.5',
          });
        await ctx.state.set(SPEED_KEY, speed);
        return ctx.t({ de: 'Tempo: {s}', en: 'Speed: {s}' }, { s: fmtSpeed(speed, ctx) });
      },
    },
    {
      name: 'status',
      aliases: { de: ['status'], en: ['status'] },
      help: { de: 'Stimme, Tempo und Sprach-Engines', en: 'Voice, speed and speech engines' },
      async run(ctx) {
        const chosen = await ctx.state.get<string>(VOICE_KEY);
        const sample = await voiceFor(ctx, s, '');
        const engines = s.engines.map((e) => `${e.id} (${e.voices.length})`).join(', ');
        return ctx.t(
          {
            de: 'Stimme: {v} · Tempo: {s} · Engines: {e} · bis {n} Zeichen pro Nachricht',
            en: 'Voice: {v} · speed: {s} · engines: {e} · up to {n} characters per message',
          },
          {
            v: chosen ?? `auto (${sample.id} …)`,
            s: fmtSpeed(await speedOf(ctx), ctx),
            e: engines,
            n: MAX_CHARS,
          },
        );
      },
    },
  ];

  const readAloud = async (ctx: CommandContext, reaction: { target: string }) => {
    const target = await ctx.event(reaction.target);
    const body = target?.content.body;
    const msgtype = target?.content.msgtype;
    if (
      target?.type !== 'm.room.message' ||
      typeof body !== 'string' ||
      (msgtype !== 'm.text' && msgtype !== 'm.notice')
    )
      throw new CommandError('not a text message', {
        de: 'Mit 🗣 lese ich Textnachrichten vor – diese Nachricht hat keinen Text.',
        en: 'With 🗣 I read text messages aloud – this message has no text.',
      });
    const rel = target.content['m.relates_to'];
    // A reply inside a thread stays in that thread; otherwise the message read becomes the root.
    const inThread =
      typeof rel === 'object' &&
      rel !== null &&
      'rel_type' in rel &&
      rel.rel_type === 'm.thread' &&
      'event_id' in rel
        ? String(rel.event_id)
        : undefined;
    await speak(ctx, s, body, { replyTo: reaction.target, threadRoot: inThread ?? reaction.target });
    return undefined;
  };

  return defineBot({
    id: 'tts',
    localpart: 'tts',
    displayName: 'Vorleser',
    description: {
      de: 'Liest Text als Sprachnachricht vor (Deutsch und Englisch)',
      en: 'Reads text aloud as a voice message (German and English)',
    },
    commands,
    examples: [
      { de: 'Guten Morgen, wie geht es dir?', en: 'Good morning, how are you?' },
      { de: 'tempo 1,5', en: 'speed 1.5' },
      { de: 'stimmen', en: 'voices' },
    ],
    fallback: async (ctx, text) => say(ctx, text),
    fallbackCost: COST,
    reactions: Object.fromEntries(READ_KEYS.map((k) => [k, readAloud])),
    reactionCosts: Object.fromEntries(READ_KEYS.map((k) => [k, COST])),
  });
}
