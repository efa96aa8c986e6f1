import { espeakEngine, libav, openOpusStream, startVoiceEncoding } from '@mana/bot-tts';
const e = espeakEngine(); const av = await libav();
const text = 'Tomorrow at nine we meet at the station, and then we take the train into town to visit the market.';
const v = e.voices[2]!;
const pcm = await e.synthesize({ text, voice: v, speed: 1 });
async function inproc(chunk: number) {
  const s = await openOpusStream(av, { sampleRate: 22050, bitrate: 24000, complexity: 1 });
  const t = performance.now();
  for (let i = 0; i < pcm.samples.length; i += chunk) await s.push(pcm.samples.subarray(i, i + chunk));
  await s.finish();
  return performance.now() - t;
}
async function worker(chunk: number) {
  const enc = startVoiceEncoding();
  const t = performance.now();
  for (let i = 0; i < pcm.samples.length; i += chunk) enc.push(pcm.samples.slice(i, i + chunk), 22050);
  await enc.finish(pcm);
  return performance.now() - t;
}
async function synthOnly() { const t = performance.now(); await e.synthesize({ text, voice: v, speed: 1 }); return performance.now() - t; }
async function pipe() { const t = performance.now(); const enc = startVoiceEncoding(); const p = await e.synthesize({ text, voice: v, speed: 1, onAudio: (s, r) => enc.push(s, r) }); await enc.finish(p); return performance.now() - t; }
const med = async (f: () => Promise<number>) => { for (let i = 0; i < 5; i++) await f(); const xs: number[] = []; for (let i = 0; i < 15; i++) xs.push(await f()); xs.sort((a, b) => a - b); return xs[7]!.toFixed(1); };
console.log('inproc whole', await med(() => inproc(1e9)), 'inproc 2206', await med(() => inproc(2206)), 'inproc 11025', await med(() => inproc(11025)));
console.log('worker whole', await med(() => worker(1e9)), 'worker 2206', await med(() => worker(2206)));
console.log('synth', await med(synthOnly), 'pipe', await med(pipe), 'synth', await med(synthOnly));
