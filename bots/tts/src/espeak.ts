/**
 * The embedded engine: espeak-ng compiled to WebAssembly (`@echogarden/espeak-ng-emscripten`, the
 * voices ship in the package's data file), so a fresh `npm ci` speaks with no server. It runs in its
 * own worker thread (`espeak-worker.ts`): a synthesis blocks that thread, never the runner's event
 * loop, and one that takes too long is stopped by ending the thread (a synchronous WASM call cannot
 * be interrupted any other way). Syntheses run one at a time.
 */
import { Worker } from 'node:worker_threads';
import type { Pcm, SpeechEngine, SynthesisRequest, Voice } from './engine.ts';
import { SpeechError } from './engine.ts';
import type { SynthReply, SynthRequest } from './espeak-protocol.ts';

/** espeak-ng's normal rate (words per minute); speed scales it. Its range is 80…450. */
const NORMAL_WPM = 175;

/** The espeak voice (language + variant) behind each voice id. */
const ESPEAK_NAMES: Readonly<Record<string, string>> = {
  de: 'de',
  'de-f': 'de+f3',
  'en-us': 'en-us',
  'en-us-f': 'en-us+f3',
  'en-gb': 'en',
};

export const ESPEAK_VOICES: readonly Voice[] = [
  { id: 'de', lang: 'de', label: 'Deutsch (männlich)', engine: 'espeak' },
  { id: 'de-f', lang: 'de', label: 'Deutsch (weiblich)', engine: 'espeak' },
  { id: 'en-us', lang: 'en', label: 'English US (male)', engine: 'espeak' },
  { id: 'en-us-f', lang: 'en', label: 'English US (female)', engine: 'espeak' },
  { id: 'en-gb', lang: 'en', label: 'English UK (male)', engine: 'espeak' },
];

let thread: Worker | undefined;
let queue: Promise<unknown> = Promise.resolve();
let ids = 0;

function espeakThread(): Worker {
  if (thread) return thread;
  const w = new Worker(new URL('./espeak-worker.ts', import.meta.url));
  w.unref(); // an idle engine never keeps the process alive; a synthesis refs it while it runs
  w.on('exit', () => {
    if (thread === w) thread = undefined;
  });
  w.on('error', () => undefined); // the synthesis running gets it through its own listener
  thread = w;
  return w;
}

function synthesizeInThread(
  request: SynthRequest,
  o: { timeoutMs: number; signal?: AbortSignal | undefined; onAudio?: SynthesisRequest['onAudio'] },
): Promise<Pcm> {
  return new Promise<Pcm>((resolve, reject) => {
    if (o.signal?.aborted) {
      reject(o.signal.reason instanceof Error ? o.signal.reason : new Error('aborted'));
      return;
    }
    const w = espeakThread();
    const chunks: Float32Array[] = [];
    let length = 0;
    let done = false;
    const finish = (result: Error | Pcm) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      w.off('message', onMessage);
      w.off('error', onError);
      w.off('exit', onExit);
      w.unref();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const stop = (err: Error) => {
      finish(err);
      if (thread === w) thread = undefined; // the next synthesis starts a fresh thread
      void w.terminate();
    };
    const onMessage = (r: SynthReply) => {
      if (r.id !== request.id) return;
      if (r.type === 'chunk') {
        chunks.push(r.samples);
        length += r.samples.length;
        try {
          o.onAudio?.(r.samples, r.sampleRate);
        } catch (err) {
          stop(err instanceof Error ? err : new Error(String(err)));
        }
      } else if (r.type === 'done') {
        const samples = new Float32Array(length);
        let at = 0;
        for (const c of chunks) {
          samples.set(c, at);
          at += c.length;
        }
        finish({ samples, sampleRate: r.sampleRate });
      } else finish(new SpeechError(r.reason, r.message));
    };
    const onError = (err: Error) =>
      finish(new SpeechError('unavailable', `espeak-ng thread failed: ${err.message}`, { cause: err }));
    const onExit = (code: number) =>
      finish(new SpeechError('unavailable', `espeak-ng thread exited (${code})`));
    const onAbort = () => stop(o.signal?.reason instanceof Error ? o.signal.reason : new Error('aborted'));
    const timer = setTimeout(
      () => stop(new SpeechError('timeout', `espeak-ng took longer than ${o.timeoutMs} ms`)),
      o.timeoutMs,
    );
    o.signal?.addEventListener('abort', onAbort, { once: true });
    w.on('message', onMessage);
    w.on('error', onError);
    w.on('exit', onExit);
    w.ref();
    w.postMessage(request);
  });
}

export interface EspeakOptions {
  /** A synthesis taking longer is stopped (its thread ended) and fails as `timeout`. */
  timeoutMs?: number;
}

export function espeakEngine(options: EspeakOptions = {}): SpeechEngine {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return {
    id: 'espeak',
    voices: ESPEAK_VOICES,
    synthesize({ text, voice, speed, signal, onAudio }: SynthesisRequest): Promise<Pcm> {
      const espeakVoice = ESPEAK_NAMES[voice.id];
      if (!espeakVoice)
        return Promise.reject(new SpeechError('unknown_voice', `espeak has no voice ${voice.id}`));
      const wpm = Math.round(Math.min(450, Math.max(80, NORMAL_WPM * speed)));
      const job = queue.then(() =>
        synthesizeInThread({ id: ++ids, text, espeakVoice, wpm }, { timeoutMs, signal, onAudio }),
      );
      queue = job.catch(() => undefined);
      return job;
    },
  };
}
