// Types of the WASM packages, as far as the bot uses them. The part of libav.js (`@libav.js/variant-opus-af`) the encoder uses. The package's own
// types sit behind an `exports` condition TypeScript does not pick for an ESM import.
declare module '@libav.js/variant-opus-af' {
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
    ff_encode_multi(
      c: number,
      frame: number,
      pkt: number,
      frames: unknown[],
      fin: boolean,
    ): Promise<unknown[]>;
    ff_write_multi(oc: number, pkt: number, packets: unknown[]): Promise<void>;
    av_write_trailer(oc: number): Promise<number>;
    ff_free_muxer(oc: number, pb: number): Promise<void>;
    ff_free_encoder(c: number, frame: number, pkt: number): Promise<void>;
    avfilter_graph_free_js(graph: number): Promise<void>;
    readFile(name: string): Promise<Uint8Array>;
    unlink(name: string): Promise<void>;
  }
  const LibAV: { LibAV(opts: { noworker?: boolean }): Promise<LibAVInstance> };
  export default LibAV;
}

// espeak-ng's Emscripten module factory; espeak.ts types the worker it builds.
declare module '@echogarden/espeak-ng-emscripten' {
  const init: (options: object) => Promise<unknown>;
  export default init;
}
