/**
 * The encoder thread: the Opus encoder (`encoders.ts`) runs here, so encoding goes on
 * while espeak-ng is still synthesizing on the main thread, and never blocks the runner's event loop.
 * Messages (`EncoderRequest` in, `EncoderReply` out) are handled one after the other, in order.
 */
import { parentPort } from 'node:worker_threads';
import { openOpusStream } from './encoders.ts';
import type { OpusStream } from './opus-stream.ts';
import type { EncoderReply, EncoderRequest } from './encoder-protocol.ts';

const port = parentPort;
if (!port) throw new Error('encode-worker.ts runs as a worker thread');

const streams = new Map<number, OpusStream>();
let chain: Promise<void> = Promise.resolve();

async function handle(m: EncoderRequest): Promise<EncoderReply | undefined> {
  switch (m.type) {
    case 'start':
      streams.set(m.id, await openOpusStream(m.settings));
      return undefined;
    case 'chunk':
      await streams.get(m.id)?.push(m.samples);
      return undefined;
    case 'abort':
      await streams.get(m.id)?.free();
      streams.delete(m.id);
      return undefined;
    case 'end': {
      const stream = streams.get(m.id);
      if (!stream) return { id: m.id, ok: false, error: 'no such encoding' };
      streams.delete(m.id);
      const ogg = await stream.finish();
      return { id: m.id, ok: true, ogg, times: stream.times, backend: stream.backend };
    }
  }
}

port.on('message', (m: EncoderRequest) => {
  chain = chain.then(async () => {
    try {
      const reply = await handle(m);
      if (reply) port.postMessage(reply, reply.ok ? [reply.ogg.buffer] : []);
    } catch (err) {
      // A failed step fails its encoding; the next message for it finds no stream and says so.
      await streams
        .get(m.id)
        ?.free()
        .catch(() => undefined);
      streams.delete(m.id);
      port.postMessage({ id: m.id, ok: false, error: String(err) } satisfies EncoderReply);
    }
  });
});
