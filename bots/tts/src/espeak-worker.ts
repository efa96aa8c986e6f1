/**
 * espeak-ng's thread: its WASM `synthesize` runs synchronously for as long as the text takes, so it
 * runs here, not on the runner's event loop. Each ~100 ms of speech is posted as it is made (the
 * main thread hands it on to the encoder thread at once); one request at a time.
 */
import { parentPort } from 'node:worker_threads';
import { importUntyped, type EspeakInit, type EspeakWorker } from './vendor.ts';
import type { SynthReply, SynthRequest } from './espeak-protocol.ts';

const port = parentPort;
if (!port) throw new Error('espeak-worker.ts runs as a worker thread');

let loading: Promise<EspeakWorker> | undefined;
function espeak(): Promise<EspeakWorker> {
  loading ??= (async () => {
    const init = await importUntyped<EspeakInit>('@echogarden/espeak-ng-emscripten');
    // Silence the module's stdout/stderr chatter; errors surface as return codes.
    const m = await init({ print: () => {}, printErr: () => {} });
    return new m.eSpeakNGWorker();
  })();
  return loading;
}

const reply = (r: SynthReply, transfer: ArrayBuffer[] = []) => port.postMessage(r, transfer);

port.on('message', (m: SynthRequest) => {
  void (async () => {
    try {
      const w = await espeak();
      if (w.set_voice(m.espeakVoice) !== 0) {
        reply({
          id: m.id,
          type: 'error',
          reason: 'unknown_voice',
          message: `espeak refused voice ${m.espeakVoice}`,
        });
        return;
      }
      w.set_rate(m.wpm);
      const sampleRate = w.get_samplerate();
      w.synthesize(m.text, (pcm16) => {
        if (pcm16 && pcm16.length > 0) {
          const samples = new Float32Array(pcm16.length);
          for (let i = 0; i < pcm16.length; i++) samples[i] = (pcm16[i] ?? 0) / 32768;
          reply({ id: m.id, type: 'chunk', samples, sampleRate }, [samples.buffer]);
        }
        return 0; // 0 = go on
      });
      reply({ id: m.id, type: 'done', sampleRate });
    } catch (err) {
      reply({ id: m.id, type: 'error', reason: 'unavailable', message: String(err) });
    }
  })();
});
