/**
 * The parts of the two WASM packages the bot uses, typed here. They are imported by a name held in
 * a variable (see `importUntyped`): espeak-ng ships no types, and libav.js's sit behind an `exports`
 * condition TypeScript does not pick for an ESM import, and an ambient `declare module` would only
 * hold inside this package's own compile, not in the runner's or the tests'.
 */
export interface LibAVFrame {
  data: Float32Array;
  channel_layout: number;
  format: number;
  pts: number;
  sample_rate: number;
}
export interface LibAVInstance {
  AV_SAMPLE_FMT_FLT: number;
  ff_init_encoder(
    name: string,
    opts: { ctx: Record<string, number>; time_base: [number, number]; options?: Record<string, string> },
  ): Promise<[number, number, number, number, number]>;
  ff_init_muxer(
    opts: { filename: string; open: boolean; format_name: string },
    streams: [number, number, number][],
  ): Promise<[number, number, number, number[]]>;
  avformat_write_header(oc: number, options: number): Promise<number>;
  ff_init_filter_graph(
    descr: string,
    input: Record<string, number>,
    output: Record<string, number>,
  ): Promise<[number, number, number]>;
  ff_filter_multi(
    src: number,
    sink: number,
    frame: number,
    frames: LibAVFrame[],
    fin: boolean,
  ): Promise<unknown[]>;
  ff_encode_multi(c: number, frame: number, pkt: number, frames: unknown[], fin: boolean): Promise<unknown[]>;
  ff_write_multi(oc: number, pkt: number, packets: unknown[]): Promise<void>;
  av_write_trailer(oc: number): Promise<number>;
  ff_free_muxer(oc: number, pb: number): Promise<void>;
  ff_free_encoder(c: number, frame: number, pkt: number): Promise<void>;
  avfilter_graph_free_js(graph: number): Promise<void>;
  readFile(name: string): Promise<Uint8Array>;
  unlink(name: string): Promise<void>;
}
export interface LibAVModule {
  LibAV(opts: { noworker?: boolean }): Promise<LibAVInstance>;
}

/** The espeak-ng Emscripten module factory and the worker it builds. */
export interface EspeakWorker {
  set_voice(name: string): number;
  set_rate(wpm: number): void;
  get_samplerate(): number;
  synthesize(text: string, cb: (samples: Int16Array | undefined) => unknown): void;
}
export type EspeakInit = (options: object) => Promise<{ eSpeakNGWorker: new () => EspeakWorker }>;

/** `import(name)` of a package whose types TypeScript cannot see; the caller states the shape. */
export async function importUntyped<T>(name: string): Promise<T> {
  const mod = (await import(name)) as { default: T };
  return mod.default;
}

/** A libopus encoder of `@evan/opus` (its `node/` or `wasm/` build): 16-bit PCM in, one packet out. */
export interface LibopusEncoder {
  /** One frame (2.5–60 ms at the encoder's rate) → one Opus packet. */
  encode(pcm: Int16Array): Uint8Array;
  /** `opus_encoder_ctl`: a getter without `value`, a setter with it. */
  ctl(cmd: number, value?: number): number;
  /** Frees the WASM build's encoder at once (the native build's is freed by GC). */
  drop?(): void;
}
export interface LibopusModule {
  Encoder: new (o: {
    channels: 1 | 2;
    sample_rate: number;
    application: 'voip' | 'audio' | 'restricted_lowdelay';
  }) => LibopusEncoder;
}
