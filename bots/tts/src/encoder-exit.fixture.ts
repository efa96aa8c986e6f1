/**
 * Encodes one second of a tone on the encoder thread with the encoder named in argv, prints its
 * libopus build and exits, so `audio.test.ts` can see how the process ends once the thread goes.
 */
import { ENCODERS, type EncoderName } from './opus-stream.ts';
import { encodeVoice } from './encode.ts';

const encoder = process.argv[2] as EncoderName | undefined;
if (encoder && !ENCODERS.includes(encoder)) throw new Error(`unknown encoder ${encoder}`);
const rate = 22_050;
const samples = Float32Array.from({ length: rate }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 220 * i) / rate));
const audio = await encodeVoice({ samples, sampleRate: rate }, encoder ? { encoder } : {});
process.stdout.write(`${audio.backend}\n`);
