/** The libav.js instance of this thread, loaded on first use (WASM from `node_modules`, no download). */
import { importUntyped, type LibAVInstance, type LibAVModule } from './vendor.ts';

let instance: Promise<LibAVInstance> | undefined;

export function libav(): Promise<LibAVInstance> {
  // `noworker`: libav.js runs in the calling thread; the bot calls it from its own encoder thread.
  instance ??= importUntyped<LibAVModule>('@libav.js/variant-opus-af')
    .then((LibAV) => LibAV.LibAV({ noworker: true }))
    .catch((err: unknown) => {
      instance = undefined;
      throw err;
    });
  return instance;
}
