/**
 * The tts bot for the runner: the embedded espeak-ng engine, and an OpenAI-compatible speech server
 * when `BOT_TTS_SPEECH_URL` names one (its voices listed first).
 */
import { createTtsBot } from './bot.ts';
import { loadTtsConfig, type TtsConfig } from './config.ts';
import type { SpeechEngine } from './engine.ts';
import { espeakEngine } from './espeak.ts';
import { openAiSpeechEngine } from './openai-speech.ts';

export { createTtsBot, parseSpeed } from './bot.ts';
export { ttsConfigSpec, loadTtsConfig, type TtsConfig } from './config.ts';
export { encodeVoice, startVoiceEncoding, type VoiceAudio, type VoiceEncoding } from './encode.ts';
export { espeakEngine } from './espeak.ts';
export type { Pcm, SpeechEngine, Voice } from './engine.ts';
export { decodeWav, encodeWav } from './wav.ts';
// The steps of an encode, for the per-step bench (bench/src/tts.ts).
export { openOpusStream } from './encoders.ts';
export {
  ENCODERS,
  OPUS_APPLICATION,
  OPUS_VBR,
  opusInputRate,
  type EncoderName,
  type OpusApplication,
  type OpusVbr,
  type StepTimes,
} from './opus-stream.ts';
export { OPUS_COMPLEXITY } from './encode.ts';
export { waveformOf } from './waveform.ts';

export function enginesFor(config: TtsConfig): SpeechEngine[] {
  const engines: SpeechEngine[] = [espeakEngine({ timeoutMs: config.synthesisTimeoutMs })];
  if (config.speechUrl && config.speechVoices.length > 0)
    engines.unshift(
      openAiSpeechEngine({
        baseUrl: config.speechUrl,
        model: config.speechModel,
        voices: config.speechVoices,
        apiKey: config.speechApiKey,
        timeoutMs: config.speechTimeoutMs,
      }),
    );
  return engines;
}

const config = loadTtsConfig();
export const ttsBot = createTtsBot({
  engines: enginesFor(config),
  bitrate: config.bitrate,
  encoder: config.encoder,
});
