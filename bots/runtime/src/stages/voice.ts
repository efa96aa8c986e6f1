/**
 * Voice notes as input, for every bot: a voice note (or an audio file, for a bot that takes no
 * audio) is transcribed by an OpenAI-compatible `POST /v1/audio/transcriptions` server (whisper.cpp
 * server, faster-whisper / speaches, LocalAI), the transcript shown, and then handled exactly as if
 * it had been typed (`textJob`). Two pipeline runs of the one event: the transcription (its own
 * credits bracket, `stt_transcription`) and the text (keyed apart, so its reply is a second message).
 */
import type { IncomingMedia } from '../bot.ts';
import { CommandError } from '../errors.ts';
import { pick, type Text } from '@mana/i18n';
import type { MatrixPort } from '../matrix.ts';
import type { MatrixEvent } from '../state.ts';
import { threadRootOf } from './addressing.ts';
import type { HostedBot } from './hosted.ts';
import { downloaderFor, incomingMedia } from './media.ts';
import { textJob } from './parsing.ts';
import type { Job } from './pipeline.ts';

/** Turns speech into text; `language` is a hint (the user's language). */
export interface SpeechToText {
  transcribe(
    audio: { bytes: Uint8Array; mimetype: string; filename: string },
    options: { language?: string; signal?: AbortSignal },
  ): Promise<string>;
  /** Larger files are refused before they are downloaded. */
  maxBytes: number;
}

export const STT_OPERATION = 'stt_transcription';

const T = {
  notSetUp: {
    de: 'Sprachnachrichten verstehe ich hier noch nicht: es ist keine Spracherkennung eingerichtet. Bitte schreib mir.',
    en: 'I cannot understand voice messages here yet: no speech recognition is set up. Please type instead.',
  },
  notAudio: {
    de: 'Das ist keine Audiodatei ({type}) – schick mir eine Sprachnachricht oder Text.',
    en: 'That is not an audio file ({type}) – send me a voice message or text.',
  },
  tooLarge: {
    de: 'Die Sprachnachricht ist zu groß ({mb} MB, höchstens {max} MB).',
    en: 'The voice message is too large ({mb} MB, at most {max} MB).',
  },
  failed: {
    de: 'Die Sprachnachricht konnte ich nicht verstehen (die Spracherkennung lehnte sie ab oder ist nicht erreichbar).',
    en: 'I could not understand the voice message (speech recognition refused it or is unreachable).',
  },
  empty: {
    de: 'In der Sprachnachricht habe ich keine Worte gehört.',
    en: 'I heard no words in the voice message.',
  },
  transcript: { de: '🎤 „{text}“', en: '🎤 “{text}”' },
} satisfies Record<string, Text>;

/** Audio types a transcription server takes; a voice note without a type is tried as Ogg. */
function isAudioType(mimetype: string | undefined): boolean {
  if (mimetype === undefined) return true;
  const type = mimetype.split(';')[0]?.trim().toLowerCase() ?? '';
  return type.startsWith('audio/') || ['video/ogg', 'video/webm', 'video/mp4'].includes(type);
}

/** True when `media` is speech for the bot (it does not take that kind of file itself). */
export function isVoiceInput(bot: HostedBot, media: IncomingMedia | undefined): media is IncomingMedia {
  if (!media || (media.kind !== 'voice' && media.kind !== 'audio')) return false;
  return !bot.def.media?.accepts.includes(media.kind);
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, '');

/** The transcription job; `onTranscript` hears the text when it succeeded. */
export function transcriptionJob(
  bot: HostedBot,
  event: MatrixEvent,
  media: IncomingMedia,
  stt: SpeechToText | undefined,
  onTranscript: (text: string) => void,
): Job {
  const root = threadRootOf(event.content);
  const base = {
    bot,
    event,
    addressed: { text: '', ...(root ? { threadRoot: root } : {}) },
    isDirect: true,
    label: `voice:${media.kind}`,
  };
  if (!stt)
    return { ...base, immediate: (lang) => ({ reply: { text: pick(lang, T.notSetUp) }, outcome: 'usage' }) };
  if (!isAudioType(media.mimetype))
    return {
      ...base,
      immediate: (lang) => ({
        reply: { text: pick(lang, T.notAudio, { type: String(media.mimetype).slice(0, 60) }) },
        outcome: 'usage',
      }),
    };
  const tooLarge = (size: number) =>
    new CommandError(`voice note of ${size} bytes`, {
      de: pick('de', T.tooLarge, { mb: mb(size), max: mb(stt.maxBytes) }),
      en: pick('en', T.tooLarge, { mb: mb(size), max: mb(stt.maxBytes) }),
    });
  return {
    ...base,
    operation: STT_OPERATION,
    async work(ctx) {
      if (media.size !== undefined && media.size > stt.maxBytes) throw tooLarge(media.size);
      const file = await media.download();
      if (file.bytes.byteLength > stt.maxBytes) throw tooLarge(file.bytes.byteLength);
      let text: string;
      try {
        text = await stt.transcribe(
          {
            bytes: file.bytes,
            mimetype: media.mimetype ?? 'audio/ogg',
            filename: media.filename && /\.\w+$/.test(media.filename) ? media.filename : 'voice.ogg',
          },
          { language: ctx.lang, signal: ctx.signal },
        );
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        throw new CommandError(`transcription failed: ${String(err)}`, T.failed, { cause: err });
      }
      const clean = text.replace(/\s+/g, ' ').trim();
      if (!/[\p{L}\p{N}]/u.test(clean)) throw new CommandError('empty transcript', T.empty);
      onTranscript(clean);
      return ctx.t(T.transcript, { text: clean });
    },
  };
}

/**
 * Both runs for a voice note: the transcription, then (when it produced text) the text job of the
 * transcript, keyed apart from the first so its reply, credits and placeholder are its own.
 */
export async function handleVoiceNote(
  o: {
    bot: HostedBot;
    event: MatrixEvent;
    media: IncomingMedia;
    stt?: SpeechToText | undefined;
    maxMessageBytes: number;
  },
  run: (job: Job) => Promise<void>,
): Promise<void> {
  let transcript: string | undefined;
  await run(transcriptionJob(o.bot, o.event, o.media, o.stt, (t) => (transcript = t)));
  if (transcript === undefined) return;
  const root = threadRootOf(o.event.content);
  const job = textJob(
    o.bot,
    o.event,
    { text: transcript, ...(root ? { threadRoot: root } : {}) },
    true,
    o.maxMessageBytes,
  );
  await run({ ...job, key: `${o.event.event_id}:transcript` });
}

/** The voice note in `event` for `bot`, or undefined when it is none (or the bot takes it as a file). */
export function voiceNoteFor(
  bot: HostedBot,
  event: MatrixEvent,
  matrix: MatrixPort,
): IncomingMedia | undefined {
  const media = incomingMedia(event.content, downloaderFor(matrix, bot.info.userId));
  return isVoiceInput(bot, media) ? media : undefined;
}

/** An OpenAI-compatible transcription server (`POST <url>/v1/audio/transcriptions`, multipart). */
export function openAiTranscriber(o: {
  baseUrl: string;
  model: string;
  apiKey?: string;
  maxBytes: number;
  timeoutMs: number;
  fetch?: typeof fetch;
}): SpeechToText {
  const doFetch = o.fetch ?? fetch;
  const url = `${o.baseUrl.replace(/\/+$/, '')}/v1/audio/transcriptions`;
  return {
    maxBytes: o.maxBytes,
    async transcribe(audio, options) {
      const form = new FormData();
      form.set('file', new Blob([audio.bytes.slice()], { type: audio.mimetype }), audio.filename);
      form.set('model', o.model);
      form.set('response_format', 'json');
      if (options.language) form.set('language', options.language);
      const timeout = AbortSignal.timeout(o.timeoutMs);
      const res = await doFetch(url, {
        method: 'POST',
        headers: o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {},
        body: form,
        signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
      });
      if (!res.ok) throw new Error(`transcription server answered ${res.status}`);
      const body: unknown = await res.json().catch(() => undefined);
      const text = typeof body === 'object' && body !== null && 'text' in body ? body.text : undefined;
      if (typeof text !== 'string') throw new Error('transcription server answered without text');
      return text;
    },
  };
}
