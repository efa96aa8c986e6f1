/**
 * libopus from `@evan/opus` (MIT; libopus itself is BSD-3-Clause), loaded in this thread on first
 * use. The package ships a native N-API build for Linux, macOS and Windows on x64 and arm64 and a
 * WASM build (SIMD where the engine has it) for everything else, inside the tarball: nothing is
 * downloaded or compiled at install. Its two builds are loaded by path, not through its `lib.js`,
 * which picks between them by an environment variable and adds setters we do not need.
 */
import { importUntyped, type LibopusModule } from './vendor.ts';

export type LibopusBuild = 'native' | 'wasm';

/** The build loaded: `native` falls back to `wasm` where the package has no binary for the platform. */
export interface Libopus {
  build: LibopusBuild;
  module: LibopusModule;
}

const loaded = new Map<LibopusBuild, Promise<Libopus>>();

export function libopus(want: LibopusBuild): Promise<Libopus> {
  let p = loaded.get(want);
  if (!p) {
    p = load(want);
    loaded.set(want, p);
    p.catch(() => loaded.delete(want));
  }
  return p;
}

async function load(want: LibopusBuild): Promise<Libopus> {
  if (want === 'native') {
    try {
      return { build: 'native', module: await importUntyped<LibopusModule>('@evan/opus/node/index.js') };
    } catch {
      // No binary for this platform (or it does not load): the WASM build is the same libopus.
    }
  }
  return { build: 'wasm', module: await importUntyped<LibopusModule>('@evan/opus/wasm/index.js') };
}
