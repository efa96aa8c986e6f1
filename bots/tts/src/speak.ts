/**
 * One text → one voice message in the room: clean the text, pick voice and speed, synthesize,
 * encode, upload, send. Every way this can fail ends in a `CommandError` with a short sentence for
 * the user (the runtime then releases the credits hold).
 */
import {
  audioContent,
  CommandError,
  MediaTooLargeError,
  type CommandContext,
  type Lang,
} from '@mana/bot-runtime';
import { startVoiceEncoding } from './encode.ts';
import type { EncoderName } from './opus-stream.ts';
import { SpeechError, type SpeechEngine, type Voice } from './engine.ts';
import { detectLanguage } from './language.ts';
import { hasWords, MAX_CHARS, speakableText } from './text.ts';
import { rmsOf } from './waveform.ts';

export const VOICE_KEY = 'voice';
export const SPEED_KEY = 'speed';

export interface Speaker {
  engines: readonly SpeechEngine[];
  bitrate: number;
  /** Default `opus`. */
  encoder?: EncoderName | undefined;
}

export function allVoices(s: Speaker): Voice[] {
  return s.engines.flatMap((e) => e.voices);
}

export function findVoice(s: Speaker, id: string): Voice | undefined {
  const want = id.toLowerCase();
  return allVoices(s).find((v) => v.id.toLowerCase() === want);
}

/** The user's chosen voice, or the first voice of the text's language (detected, else the user's). */
export async function voiceFor(ctx: CommandContext, s: Speaker, text: string): Promise<Voice> {
  const chosen = await ctx.state.get<string>(VOICE_KEY);
  const own = chosen ? findVoice(s, chosen) : undefined;
  if (own) return own;
  const lang: Lang = detectLanguage(text) ?? ctx.lang;
  const voices = allVoices(s);
  const voice = voices.find((v) => v.lang === lang) ?? voices[0];
  if (!voice)
    throw new CommandError('no voices', { de: 'Keine Stimme verfügbar.', en: 'No voice available.' });
  return voice;
}

export async function speedOf(ctx: CommandContext): Promise<number> {
  const v = await ctx.state.get<number>(SPEED_KEY);
  return typeof v === 'number' && Number.isFinite(v) ? v : 1;
}

export interface Target {
  /** The message the voice message answers. */
  replyTo: string;
  /** A thread to put it in (a 🗣 reaction: the message read aloud). */
  threadRoot?: string | undefined;
}

export async function speak(ctx: CommandContext, s: Speaker, raw: string, target: Target): Promise<void> {
  const text = speakableText(raw);
  if (!hasWords(text))
    throw new CommandError('nothing to read', {
      de: 'Da ist nichts zum Vorlesen – schick mir Text (Emoji und Formatierung lese ich nicht).',
      en: 'There is nothing to read – send me text (I skip emoji and formatting).',
    });
  if (text.length > MAX_CHARS)
    throw new CommandError('text too long', {
      de: `Der Text ist zu lang: ${text.length} Zeichen, ich lese höchstens ${MAX_CHARS}.`,
      en: `The text is too long: ${text.length} characters, I read at most ${MAX_CHARS}.`,
    });
  const voice = await voiceFor(ctx, s, text);
  const engine = s.engines.find((e) => e.id === voice.engine);
  if (!engine)
    throw new CommandError('engine gone', {
      de: 'Diese Stimme gibt es nicht mehr.',
      en: 'That voice is gone.',
    });
  const speed = await speedOf(ctx);
  // Encoding runs in its own thread, fed while the engine is still speaking.
  const encoding = startVoiceEncoding({ bitrate: s.bitrate, encoder: s.encoder });
  let pcm;
  try {
    pcm = await engine.synthesize({
      text,
      voice,
      speed,
      signal: ctx.signal,
      onAudio: (samples, rate) => encoding.push(samples, rate),
    });
    if (pcm.samples.length === 0 || rmsOf(pcm.samples) < 1e-4)
      throw new SpeechError('silent', 'the engine returned silence');
  } catch (err) {
    encoding.abort();
    if (err instanceof SpeechError) throw speechFailure(err, voice);
    throw err;
  }
  const audio = await encoding.finish(pcm);
  let mxc: string;
  try {
    mxc = await ctx.upload(audio.ogg, { contentType: audio.mimetype, filename: 'voice-message.ogg' });
  } catch (err) {
    if (err instanceof MediaTooLargeError)
      throw new CommandError(err.message, {
        de: 'Die Sprachnachricht ist größer, als der Server annimmt – bitte einen kürzeren Text.',
        en: 'The voice message is larger than the server accepts – please send a shorter text.',
      });
    throw err;
  }
  const content = audioContent({
    mxc,
    mimetype: audio.mimetype,
    size: audio.ogg.byteLength,
    durationMs: audio.durationMs,
    waveform: audio.waveform,
    body: text,
    filename: 'voice-message.ogg',
  });
  content['m.relates_to'] = target.threadRoot
    ? {
        rel_type: 'm.thread',
        event_id: target.threadRoot,
        is_falling_back: true,
        'm.in_reply_to': { event_id: target.replyTo },
      }
    : { 'm.in_reply_to': { event_id: target.replyTo } };
  // Keyed: the same command (or reaction) re-run after a crash sends its voice message once.
  await ctx.sendContent(content, { txnKey: 'voice' });
}

function speechFailure(err: SpeechError, voice: Voice): CommandError {
  switch (err.reason) {
    case 'unavailable':
      return new CommandError(err.message, {
        de: `Der Sprachserver antwortet nicht (Stimme ${voice.id}). Versuch es später oder wähle eine eingebaute Stimme: stimmen`,
        en: `The speech server does not answer (voice ${voice.id}). Try later or pick a built-in voice: voices`,
      });
    case 'timeout':
      return new CommandError(err.message, {
        de: `Die Sprachausgabe hat zu lange gebraucht (Stimme ${voice.id}). Versuch es mit einem kürzeren Text.`,
        en: `Speech synthesis took too long (voice ${voice.id}). Try a shorter text.`,
      });
    case 'unknown_voice':
      return new CommandError(err.message, {
        de: `Die Stimme ${voice.id} gibt es nicht. Alle Stimmen: stimmen`,
        en: `There is no voice ${voice.id}. All voices: voices`,
      });
    default:
      return new CommandError(err.message, {
        de: `Die Sprachausgabe hat kein brauchbares Audio geliefert (Stimme ${voice.id}).`,
        en: `Speech synthesis returned no usable audio (voice ${voice.id}).`,
      });
  }
}
